#pragma once
// What exec makes of the server's metav1.Status (ApiStatus, api_error.hpp), met
// twice: the body of a refused WebSocket upgrade (403, 404, ...) and the one
// message on the status channel (channel 3) that ends every command. Also the
// error type exec() throws.
//
// Sources: client-go tools/remotecommand/v4.go (errorDecoderV4: exit codes),
// kubectl pkg/cmd/util/helpers.go (how errors print); ../shared/K8S_API.md 2.2, 5.4.

#include "core/error.hpp"
#include "core/expected.hpp"
#include "kube/api_error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace kpg::kube {

// The remote exit code a status-channel Status carries: Success -> 0;
// Failure/NonZeroExitCode with an ExitCode cause -> that code (0-255). Any other
// Status is a failure to run the command; the error text is the server's message
// and reason ("command failed in the container (InternalError): ...").
Expected<int, std::string> exit_code_from_status(const ApiStatus& status);

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

// exec()'s error. Kept apart from KubeError (ApiError | TransportError), which
// cannot say three things exec needs: a cancelled exec (exit code 130), a
// server that broke the channel protocol, and a command that could not start
// (a Status from the status channel, which is no HTTP answer). A refused
// upgrade carries the server's Status as an ApiError would; to_command_error()
// below prints it through api_error's kubectl formatting.
class ExecError : public Error
{
public:
  ExecError(ExecFailure failure, const std::string& message,
            std::optional<ApiStatus> status = std::nullopt);

  ExecFailure failure() const
  {
    return m_failure;
  }
  // The server's Status, for refused and remote failures.
  const std::optional<ApiStatus>& status() const
  {
    return m_status;
  }

private:
  ExecFailure m_failure;
  std::optional<ApiStatus> m_status;
};

// The command-level error for a failed exec: a refused upgrade with a Status as
// kube::to_command_error() words an API error ("Error from server (NotFound):
// while running psql in pod db/pg-0: pods \"pg-0\" not found"), anything else
// "<attempting>: <what()>", keeping ExecError's exit code.
Error to_command_error(const ExecError& error, std::string_view attempting);

} // namespace kpg::kube
