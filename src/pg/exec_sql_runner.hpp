#pragma once
// The SqlRunner kubectl-pg uses: psql run in the pod over the API server's
// pods/exec WebSocket (kube/exec_stream.hpp), without a TTY or stdin. psql's
// standard output is captured whole (psql's unaligned answers are small); its
// standard error is kept for the error: a non-zero exit answers
//   "running psql in pod NS/POD (container C): psql exited with code N: <first
//    line of stderr>"
// and an exec failure (refused upgrade, transport, cancelled) answers
// kube::to_command_error()'s line. Both become status problems (cluster_status).
// Each run is limited (default 5 s): a frozen pod accepts psql's connection and
// never answers, and status must not hang on it; past the limit the exec is
// cancelled and the run answers "...: no answer within 5s".
// run() is thread-safe: each run has its own connection, streams and watchdog,
// and shares only the RestConfig (read-only; its CredentialSource is thread-safe).

#include "kube/rest_config.hpp"
#include "pg/sql_runner.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace kpg::pg {

// The first non-empty line of psql's standard error, the one that says what
// went wrong ("psql: error: ...", "ERROR:  ..."; the lines after it are LINE,
// HINT and DETAIL), or "no error output" when it wrote none.
std::string psql_error_line(std::string_view error_output);

class ExecSqlRunner : public SqlRunner
{
public:
  static constexpr std::chrono::milliseconds k_default_timeout{ 5000 };

  // `config` is the command's connection (kube::Session::config()); it must
  // outlive the runner. `timeout` limits each run.
  explicit ExecSqlRunner(const kube::RestConfig& config,
                         std::chrono::milliseconds timeout = k_default_timeout)
    : m_config(config)
    , m_timeout(timeout)
  {
  }

  std::optional<std::string> unavailable_reason() const override;
  Fetched run(const PodCommand& command) override;

private:
  const kube::RestConfig& m_config;
  std::chrono::milliseconds m_timeout;
};

} // namespace kpg::pg
