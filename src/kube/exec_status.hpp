#pragma once
// metav1.Status as exec meets it, twice: the body of a refused WebSocket upgrade
// (403, 404, ...) and the one message on the status channel (channel 3) that ends
// every command. Also the error type exec() throws.
//
// Kept local to exec until the REST client's shared API-error type exists; its
// shape follows apimachinery pkg/apis/meta/v1/types.go (Status, StatusCause).
// Sources: client-go tools/remotecommand/v4.go (errorDecoderV4: exit codes),
// kubectl pkg/cmd/util/helpers.go (how errors print); ../shared/K8S_API.md 2.2, 5.4.

#include "core/error.hpp"
#include "core/expected.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::kube {

struct ExecStatusCause
{
  std::string reason; // "ExitCode" on the status channel; FieldValueInvalid, ...
  std::string message;
  std::string field;
};

struct ExecStatus
{
  std::string status;                  // "Success" or "Failure"
  std::string message;                 // human-readable, e.g. `pods "x" not found`
  std::string reason;                  // NotFound, Forbidden, NonZeroExitCode, InternalError, ...
  int code = 0;                        // the HTTP status code; 0 on the status channel
  std::vector<ExecStatusCause> causes; // details.causes
};

// Parses a metav1.Status JSON document. Missing fields stay empty; the error text
// says why the document is not a Status ("not JSON: ...", "not an object").
Expected<ExecStatus, std::string> parse_exec_status(std::string_view json);

// The remote exit code a status-channel Status carries: Success -> 0;
// Failure/NonZeroExitCode with an ExitCode cause -> that code (0-255). Any other
// Status is a failure to run the command; the error text is the server's message
// and reason ("command failed in the container (InternalError): ...").
Expected<int, std::string> exit_code_from_status(const ExecStatus& status);

// The one line kubectl prints for an API error Status:
//   Unauthorized: "You must be logged in to the server (<message>)"
//   otherwise:    "Error from server (<Reason>): <message>"
//   no reason:    "Error from server: <message>"
std::string format_api_error(const ExecStatus& status);

// Why exec() failed. A command that ran and exited non-zero is not an error: its
// code is in ExecResult.
enum class ExecFailure
{
  refused,   // the server answered the upgrade with an HTTP error (status())
  transport, // DNS, connect, TLS or a connection lost before the command ended
  protocol,  // the server broke the channel protocol (bad subprotocol or status)
  remote,    // the command could not run (status(): e.g. executable not found)
  cancelled, // ExecCancellation::cancel() was called
};

class ExecError : public Error
{
public:
  ExecError(ExecFailure failure, const std::string& message,
            std::optional<ExecStatus> status = std::nullopt);

  ExecFailure failure() const
  {
    return m_failure;
  }
  // The server's Status, for refused and remote failures.
  const std::optional<ExecStatus>& status() const
  {
    return m_status;
  }

private:
  ExecFailure m_failure;
  std::optional<ExecStatus> m_status;
};

} // namespace kpg::kube
