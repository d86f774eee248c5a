#include "kube/exec_status.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

namespace kpg::kube {

namespace {

std::string string_field(const nlohmann::json& object, const char* key)
{
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

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

Expected<ExecStatus, std::string> parse_exec_status(std::string_view json)
{
  const auto document = nlohmann::json::parse(json, nullptr, false);
  if (document.is_discarded()) {
    return unexpected(fmt::format("not JSON: {:?}", json.substr(0, 200)));
  }
  if (!document.is_object()) {
    return unexpected(std::string("not a JSON object"));
  }
  ExecStatus status;
  status.status = string_field(document, "status");
  status.message = string_field(document, "message");
  status.reason = string_field(document, "reason");
  if (const auto code = document.find("code");
      code != document.end() && code->is_number_integer()) {
    status.code = code->get<int>();
  }
  const auto details = document.find("details");
  if (details != document.end() && details->is_object()) {
    const auto causes = details->find("causes");
    if (causes != details->end() && causes->is_array()) {
      for (const auto& cause : *causes) {
        if (cause.is_object()) {
          status.causes.push_back({ string_field(cause, "reason"), string_field(cause, "message"),
                                    string_field(cause, "field") });
        }
      }
    }
  }
  return status;
}

Expected<int, std::string> exit_code_from_status(const ExecStatus& status)
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

std::string format_api_error(const ExecStatus& status)
{
  if (status.reason == "Unauthorized") {
    return fmt::format("You must be logged in to the server ({})", status.message);
  }
  if (status.reason.empty()) {
    return fmt::format("Error from server: {}", status.message);
  }
  return fmt::format("Error from server ({}): {}", status.reason, status.message);
}

ExecError::ExecError(ExecFailure failure, const std::string& message,
                     std::optional<ExecStatus> status)
  : Error(message, exit_code_for(failure))
  , m_failure(failure)
  , m_status(std::move(status))
{
}

} // namespace kpg::kube
