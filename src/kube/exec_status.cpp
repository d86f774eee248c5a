#include "kube/exec_status.hpp"

#include <fmt/format.h>

#include <charconv>

namespace kpg::kube {

namespace {

ExitCode exit_code_for(ExecFailure failure)
{
  switch (failure) {
    case ExecFailure::transport:
      return ExitCode::unreachable;
    case ExecFailure::cancelled:
      return ExitCode::interrupted;
    default:
      return ExitCode::failure;
  }
}

} // namespace

Expected<int, std::string> exit_code_from_status(const ApiStatus& status)
{
  if (status.status == "Success") {
    return 0;
  }
  if (status.status != "Failure") {
    return unexpected(fmt::format("status channel: unknown status {:?}", status.status));
  }
  if (status.reason == "NonZeroExitCode") {
    for (const auto& cause : status.causes) {
      if (cause.reason != "ExitCode") {
        continue;
      }
      unsigned code = 0;
      const auto* end = cause.message.data() + cause.message.size();
      const auto [ptr, error] = std::from_chars(cause.message.data(), end, code);
      if (error != std::errc() || ptr != end || code > 255) {
        return unexpected(fmt::format("status channel: invalid exit code {:?}", cause.message));
      }
      return static_cast<int>(code);
    }
    return unexpected(std::string("status channel: NonZeroExitCode without an ExitCode cause"));
  }
  if (status.reason.empty()) {
    return unexpected(fmt::format("command failed in the container: {}", status.message));
  }
  return unexpected(
    fmt::format("command failed in the container ({}): {}", status.reason, status.message));
}

ExecError::ExecError(ExecFailure failure, const std::string& message,
                     std::optional<ApiStatus> status)
  : Error(message, exit_code_for(failure))
  , m_failure(failure)
  , m_status(std::move(status))
{
}

Error to_command_error(const ExecError& error, std::string_view attempting)
{
  if (error.failure() == ExecFailure::refused && error.status()) {
    return to_command_error(KubeError(ApiError(*error.status())), attempting, Access::write);
  }
  return Error(fmt::format("{}: {}", attempting, error.what()), error.code());
}

} // namespace kpg::kube
