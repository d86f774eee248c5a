#pragma once
// Process exit codes of kubectl-pg. Stable: scripts depend on them, and
// README.md ("Exit codes") documents each one. Add, never renumber.

namespace kpg {

enum class ExitCode : int {
  ok = 0,          // the command did what was asked
  failure = 1,     // the operation failed (API error, transport error, ...)
  usage = 2,       // bad flags, arguments or cluster spec; nothing was changed
  degraded = 3,    // status: the cluster answers but is not healthy
  unreachable = 4, // the API server or the cluster could not be read
  aborted = 5,     // a confirmation was declined, or --yes is needed without a TTY
  timeout = 6,     // --wait/--timeout ran out before the goal was reached
  interrupted = 130, // SIGINT (128 + 2), as shells report it
};

constexpr int to_int(ExitCode code)
{
  return static_cast<int>(code);
}

} // namespace kpg
