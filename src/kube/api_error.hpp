#pragma once
// Errors of Kubernetes API requests. Two kinds, kept apart as cpr keeps HTTP
// status apart from transport failure:
//   ApiError       the server answered with a failure Status (404, 409, 422, ...)
//   TransportError no HTTP answer at all (DNS, refused, TLS, timeout; http.hpp)
// KubeError holds either. Commands turn one into kpg::Error with
// to_command_error(), which picks the exit code.
//
// Sources: apimachinery pkg/apis/meta/v1/types.go (Status), pkg/api/errors/errors.go
// (NewGenericServerResponse), kubectl pkg/cmd/util/helpers.go (how kubectl
// prints them); ../shared/K8S_API.md 2.2 and 3.2.

#include "core/error.hpp"
#include "kube/http.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kpg::kube {

struct StatusCause
{
  std::string reason; // FieldValueInvalid, FieldManagerConflict, ...
  std::string message;
  std::string field; // spec.replicas, .spec.replicas (apply conflicts)
};

// metav1.Status of a failed request.
struct ApiStatus
{
  int code = 0;       // HTTP status
  std::string reason; // NotFound, AlreadyExists, Conflict, Invalid, Expired, ...; may be empty
  std::string message;
  // details
  std::string name;
  std::string group;
  std::string kind; // the resource for NotFound/AlreadyExists ("pods"), the Kind for Invalid
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;
};

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

// The command-level error: "<attempting>: <text>" with exit code 4
// (unreachable) for transport and authentication failures (401, 403) while
// reading the cluster, else 1. `attempting` says what was being done, e.g.
// "reading statefulset db/pg".
Error to_command_error(const KubeError& error, std::string_view attempting, Access access);

} // namespace kpg::kube
