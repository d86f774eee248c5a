#pragma once
// Errors of Kubernetes API requests, and the one model of the server's
// metav1.Status (REST answers, and exec's refused upgrades and status channel:
// exec_status.hpp). Two kinds, kept apart as cpr keeps HTTP status apart from
// transport failure:
//   ApiError       the server answered with a failure Status (404, 409, 422, ...)
//   TransportError no HTTP answer at all (DNS, refused, TLS, timeout; http.hpp)
// KubeError holds either. Commands turn one into kpg::Error with
// to_command_error(), which picks the exit code.
//
// Sources: apimachinery pkg/apis/meta/v1/types.go (Status), pkg/api/errors/errors.go
// (NewGenericServerResponse), kubectl pkg/cmd/util/helpers.go (how kubectl
// prints them); ../shared/K8S_API.md 2.2 and 3.2.

#include "core/error.hpp"
#include "core/expected.hpp"
#include "kube/http.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kpg::kube {

struct StatusCause
{
  std::string reason; // FieldValueInvalid, FieldManagerConflict, ExitCode (exec), ...
  std::string message;
  std::string field; // spec.replicas, .spec.replicas (apply conflicts)
};

// metav1.Status: of a failed request, or the one message on exec's status channel.
struct ApiStatus
{
  int code = 0;       // HTTP status; 0 on exec's status channel
  std::string reason; // NotFound, AlreadyExists, Conflict, Invalid, Expired, NonZeroExitCode,
                      // ...; may be empty
  std::string message;
  // details
  std::string name;
  std::string group;
  std::string kind; // the resource for NotFound/AlreadyExists ("pods"), the Kind for Invalid
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;
  std::string status = "Failure"; // "Success" or "Failure"; "" when a parsed Status has none
};

// Parses a metav1.Status JSON document. `kind` is not required (exec's status
// channel sends a bare Status: `{"metadata":{},"status":"Success"}`); missing
// or mistyped fields stay empty. The error says why the document is not one:
// `not JSON: "403 Forbidden"`, "not a JSON object".
Expected<ApiStatus, std::string> parse_api_status(std::string_view json);

// Builds the Status of a non-2xx response: the body's own Status when it is
// one, else client-go's generic Status for the code (e.g. 429 from API Priority
// and Fairness, which answers text/plain). `verb` and `what` ("statefulsets.apps
// pg") end the generic message as client-go's do: "(get statefulsets.apps pg)".
ApiStatus status_from_response(const HttpResponse& response, std::string_view verb,
                               std::string_view what);

class ApiError
{
public:
  explicit ApiError(ApiStatus status)
    : m_status(std::move(status))
  {
  }
  const ApiStatus& status() const
  {
    return m_status;
  }
  int code() const
  {
    return m_status.code;
  }
  const std::string& reason() const
  {
    return m_status.reason;
  }
  // As kubectl prints it (without kubectl's leading "error: "):
  //   Error from server (NotFound): pods "pg-3" not found
  //   The StatefulSet "pg" is invalid: spec.replicas: Invalid value: -1: must be ...
  //   You must be logged in to the server (Unauthorized)
  // A server-side apply conflict lists each field with its manager and how to
  // take it over (--force-conflicts).
  std::string text() const;

private:
  ApiStatus m_status;
};

// "Unable to connect to the server: <explanation>" (kubectl's prefix), or
// kubectl's own wording for a refused connection.
std::string transport_error_text(const TransportError& error);

class KubeError
{
public:
  KubeError(ApiError error)
    : m_error(std::move(error)) // NOLINT(google-explicit-constructor)
  {
  }
  KubeError(TransportError error)
    : m_error(std::move(error)) // NOLINT(google-explicit-constructor)
  {
  }
  const ApiError* api() const
  {
    return std::get_if<ApiError>(&m_error);
  }
  const TransportError* transport() const
  {
    return std::get_if<TransportError>(&m_error);
  }
  // The HTTP status, or 0 for a transport error.
  int code() const
  {
    return api() != nullptr ? api()->code() : 0;
  }
  bool is_not_found() const
  {
    return code() == 404;
  }
  // 410 Expired/Gone, or 504 ResourceVersionTooLarge: list again from scratch.
  bool is_expired() const;
  std::string text() const;

private:
  std::variant<ApiError, TransportError> m_error;
};

// Whether the failing request read the cluster or changed it: decides the exit code.
enum class Access
{
  read,
  write
};

// The command-level error, with exit code 4 (unreachable) for transport and
// authentication failures (401, 403) while reading the cluster, else 1.
// `attempting` says what was being done, e.g. "reading statefulset db/pg".
// A Status kubectl prints as "Error from server ..." keeps kubectl's form, with
// the attempt where kubectl puts its own context ("error when creating ..."),
// and MessageFormat::kubectl (printed without "error: "):
//   Error from server (NotFound): while reading statefulset db/pg: statefulsets.apps "pg" not found
// Anything else is "<attempting>: <text>" with MessageFormat::plain:
//   reading statefulset db/pg: Unable to connect to the server: ...
//   reading statefulset db/pg: You must be logged in to the server (Unauthorized)
Error to_command_error(const KubeError& error, std::string_view attempting, Access access);

} // namespace kpg::kube
