#include "pg/exec_sql_runner.hpp"

#include "core/error.hpp"
#include "kube/exec_stream.hpp"

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>
#include <sstream>
#include <stop_token>
#include <thread>

namespace kpg::pg {

std::string psql_error_line(std::string_view error_output)
{
  const auto start = error_output.find_first_not_of("\r\n");
  if (start == std::string_view::npos) {
    return "no error output";
  }
  const auto end = error_output.find_first_of("\r\n", start);
  return std::string(error_output.substr(start, end == std::string_view::npos ? end : end - start));
}

std::optional<std::string> ExecSqlRunner::unavailable_reason() const
{
  return std::nullopt;
}

Fetched ExecSqlRunner::run(const PodCommand& command)
{
  const std::string attempting =
    fmt::format("running psql in pod {}/{} (container {})", command.namespace_name, command.pod,
                command.container);
  const kube::ExecRequest request{ command.namespace_name, command.pod, command.container,
                                   command.argv, kube::TtyMode::disabled };
  std::ostringstream out;
  std::ostringstream err;
  kube::OstreamOutput output(out);
  kube::OstreamOutput error_output(err);
  kube::ExecStreams streams;
  streams.output = &output;
  streams.error_output = &error_output;
  kube::ExecCancellation cancellation;
  // Cancels the exec at m_timeout unless the run ends first (leaving this scope
  // requests the watchdog's stop and joins it).
  std::jthread watchdog([&cancellation, timeout = m_timeout](const std::stop_token& stop) {
    std::mutex mutex;
    std::condition_variable_any stopped;
    std::unique_lock lock(mutex);
    stopped.wait_for(lock, stop, timeout, [] { return false; });
    if (!stop.stop_requested()) {
      cancellation.cancel();
    }
  });
  kube::ExecResult result;
  try {
    result = kube::exec(m_config, request, streams, &cancellation);
  } catch (const kube::ExecError& error) {
    if (error.failure() == kube::ExecFailure::cancelled) {
      return unexpected(fmt::format("{}: no answer within {}s", attempting,
                                    std::chrono::duration<double>(m_timeout).count()));
    }
    return unexpected(std::string(kube::to_command_error(error, attempting).what()));
  } catch (const Error& error) { // the connection's settings (URL, CA), a local stream
    return unexpected(fmt::format("{}: {}", attempting, error.what()));
  }
  if (result.exit_code != 0) {
    return unexpected(fmt::format("{}: psql exited with code {}: {}", attempting, result.exit_code,
                                  psql_error_line(err.str())));
  }
  return std::move(out).str();
}

} // namespace kpg::pg
