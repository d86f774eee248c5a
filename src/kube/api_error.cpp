#include "kube/api_error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace kpg::kube {

namespace {

std::string json_string(const nlohmann::json& object, const char* key)
{
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int json_int(const nlohmann::json& object, const char* key)
{
  const auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : 0;
}

// The fields of a metav1.Status object; missing or mistyped ones stay empty.
ApiStatus status_from_json(const nlohmann::json& doc)
{
  ApiStatus status;
  status.status = json_string(doc, "status");
  status.code = json_int(doc, "code");
  status.reason = json_string(doc, "reason");
  status.message = json_string(doc, "message");
  if (const auto details = doc.find("details"); details != doc.end() && details->is_object()) {
    status.name = json_string(*details, "name");
    status.group = json_string(*details, "group");
    status.kind = json_string(*details, "kind");
    status.retry_after_seconds = json_int(*details, "retryAfterSeconds");
    if (const auto causes = details->find("causes");
        causes != details->end() && causes->is_array()) {
      for (const auto& cause : *causes) {
        if (cause.is_object()) {
          status.causes.push_back({ json_string(cause, "reason"), json_string(cause, "message"),
                                    json_string(cause, "field") });
        }
      }
    }
  }
  return status;
}

std::string trim(std::string_view text)
{
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) {
    return {};
  }
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// apimachinery errors.go NewGenericServerResponse: reason and message by code.
std::pair<std::string, std::string> generic_reason(int code, std::string_view verb,
                                                   const std::string& server_message)
{
  switch (code) {
    case 409:
      return { verb == "POST" ? "AlreadyExists" : "Conflict", "the server reported a conflict" };
    case 404:
      return { "NotFound", "the server could not find the requested resource" };
    case 400:
      return { "BadRequest", "the server rejected our request for an unknown reason" };
    case 401:
      return { "Unauthorized", "the server has asked for the client to provide credentials" };
    case 403:
      return { "Forbidden", server_message };
    case 405:
      return { "MethodNotAllowed",
               "the server does not allow this method on the requested resource" };
    case 406:
      return { "NotAcceptable",
               "the server was unable to respond with a content type that the client supports" };
    case 415:
      return { "UnsupportedMediaType", server_message };
    case 422:
      return { "Invalid", "the server rejected our request due to an error in our request" };
    case 429:
      return { "TooManyRequests",
               "the server has received too many requests and has asked us to try again later" };
    case 503:
      return { "ServiceUnavailable", "the server is currently unable to handle the request" };
    case 504:
      return { "Timeout", "the server was unable to return a response in the time allotted, but "
                          "may still be processing the request" };
    default:
      if (code >= 500) {
        return { "InternalError",
                 fmt::format("an error on the server (\"{}\") has prevented the request from "
                             "succeeding",
                             server_message) };
      }
      return { "", fmt::format("the server responded with the status code {} but did not return "
                               "more information",
                               code) };
  }
}

std::string lower(std::string_view text)
{
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_apply_conflict(const ApiStatus& status)
{
  return status.code == 409 &&
         std::any_of(status.causes.begin(), status.causes.end(),
                     [](const StatusCause& c) { return c.reason == "FieldManagerConflict"; });
}

// A server-side apply conflict, explained: who owns which field, how to take over.
std::string apply_conflict_text(const ApiStatus& status)
{
  std::string text = fmt::format("Apply failed: {} field(s) of this object are managed by another "
                                 "field manager:\n",
                                 status.causes.size());
  for (const auto& cause : status.causes) {
    text += fmt::format("  {}  ({})\n", cause.field, cause.message);
  }
  text += "To take these fields over, re-run with --force-conflicts (kubectl-pg becomes their "
          "manager).\nTo leave them to their current manager, remove them from the manifest, or "
          "set them to the live value to share ownership.";
  return text;
}

std::string invalid_text(const ApiStatus& status)
{
  std::string prefix = "The request is invalid";
  if (!status.kind.empty() || !status.name.empty()) {
    prefix = fmt::format("The {} \"{}\" is invalid", status.kind, status.name);
  }
  std::vector<std::string> lines;
  std::set<std::string> seen;
  for (const auto& cause : status.causes) {
    std::string line = fmt::format("{}: {}", cause.field, cause.message);
    if (seen.insert(line).second) {
      lines.push_back(std::move(line));
    }
  }
  if (lines.empty()) {
    return prefix;
  }
  if (lines.size() == 1) {
    return fmt::format("{}: {}", prefix, lines.front());
  }
  std::string text = prefix + ": ";
  for (const auto& line : lines) {
    text += "\n* " + line;
  }
  return text;
}

// kubectl's head for a Status it prints as "Error from server ...", or empty
// for the ones it words otherwise (pkg/cmd/util/helpers.go checkErr).
std::string server_error_head(const ApiStatus& status)
{
  if (status.reason == "Unauthorized" || status.reason == "Invalid" || is_apply_conflict(status)) {
    return {};
  }
  if (status.reason.empty()) {
    return "Error from server";
  }
  return fmt::format("Error from server ({})", status.reason);
}

} // namespace

Expected<ApiStatus, std::string> parse_api_status(std::string_view json)
{
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded()) {
    return unexpected(fmt::format("not JSON: {:?}", json.substr(0, 200)));
  }
  if (!doc.is_object()) {
    return unexpected(std::string("not a JSON object"));
  }
  return status_from_json(doc);
}

ApiStatus status_from_response(const HttpResponse& response, std::string_view verb,
                               std::string_view what)
{
  if (const auto doc = nlohmann::json::parse(response.body, nullptr, false);
      doc.is_object() && json_string(doc, "kind") == "Status") {
    ApiStatus status = status_from_json(doc);
    if (status.code == 0) {
      status.code = static_cast<int>(response.status);
    }
    return status;
  }
  ApiStatus status;
  status.code = static_cast<int>(response.status);
  std::string server_message = trim(response.body);
  if (server_message.empty()) {
    server_message = "unknown";
  }
  auto [reason, message] = generic_reason(status.code, verb, server_message);
  status.reason = std::move(reason);
  status.message = what.empty() ? message : fmt::format("{} ({} {})", message, lower(verb), what);
  if (const auto retry_after = response.header("Retry-After")) {
    status.retry_after_seconds = std::atoi(retry_after->c_str());
  }
  return status;
}

std::string ApiError::text() const
{
  if (m_status.reason == "Unauthorized") {
    return fmt::format("You must be logged in to the server ({})", m_status.message);
  }
  if (m_status.reason == "Invalid") {
    return invalid_text(m_status);
  }
  if (is_apply_conflict(m_status)) {
    return apply_conflict_text(m_status);
  }
  // every other Status has kubectl's "Error from server" head
  return fmt::format("{}: {}", server_error_head(m_status), m_status.message);
}

std::string transport_error_text(const TransportError& error)
{
  if (error.kind == TransportErrorKind::connection_refused) {
    return error.message;
  }
  return fmt::format("Unable to connect to the server: {}", error.message);
}

bool KubeError::is_expired() const
{
  const ApiError* error = api();
  if (error == nullptr) {
    return false;
  }
  if (error->code() == 410) {
    return true;
  }
  const auto& causes = error->status().causes;
  return error->code() == 504 &&
         std::any_of(causes.begin(), causes.end(), [](const StatusCause& cause) {
           return cause.reason == "ResourceVersionTooLarge";
         });
}

std::string KubeError::text() const
{
  if (const ApiError* error = api()) {
    return error->text();
  }
  return transport_error_text(*transport());
}

Error to_command_error(const KubeError& error, std::string_view attempting, Access access)
{
  const bool cannot_read =
    error.transport() != nullptr || error.code() == 401 || error.code() == 403;
  const ExitCode code =
    access == Access::read && cannot_read ? ExitCode::unreachable : ExitCode::failure;
  if (const ApiError* api = error.api()) {
    if (const auto head = server_error_head(api->status()); !head.empty()) {
      return Error(fmt::format("{}: while {}: {}", head, attempting, api->status().message), code,
                   MessageFormat::kubectl);
    }
  }
  return Error(fmt::format("{}: {}", attempting, error.text()), code);
}

} // namespace kpg::kube
