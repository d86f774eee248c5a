#pragma once
// Runs a command in a pod's container over a WebSocket, the way `kubectl exec`
// does from 1.30, and returns its exit code.
//
//   GET /api/v1/namespaces/NS/pods/NAME/exec?command=...   (exec_request.hpp)
//   Upgrade: websocket, Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io
//   HTTP/1.1 over TLS (Boost.Beast over boost::asio::ssl; stream_tls.hpp)
//   Authorization and the Impersonate-* headers of RestConfig (impersonation.hpp)
//
// Streams move in 64 KiB chunks both ways with backpressure (exec_io.hpp); memory
// stays flat whatever the size of the stream. On v5, end of stdin half-closes the
// remote stdin (so `cat` ends); on v4 stdin stays open until the command exits.
// A WebSocket ping goes out every 5 s (client-go's interval) to keep idle proxies
// from cutting a quiet command; TCP keep-alive detects a dead peer.
//
// Not supported: proxies (RestConfig::proxy_url and HTTPS_PROXY are ignored: the
// connection goes straight to the server), the base64 subprotocols, SPDY.
//
// Sources: client-go tools/remotecommand/websocket.go, v4.go, v5.go; kubectl
// pkg/cmd/exec/exec.go; ../shared/K8S_API.md 5.

#include "kube/channel_protocol.hpp"
#include "kube/exec_io.hpp"
#include "kube/exec_request.hpp"
#include "kube/exec_status.hpp"
#include "kube/rest_config.hpp"

#include <functional>
#include <mutex>
#include <optional>

namespace kpg::kube {

struct ExecStreams
{
  ExecInput* input = nullptr;         // stdin; null: stdin is not attached
  ExecOutput* output = nullptr;       // stdout; null: not attached
  ExecOutput* error_output = nullptr; // stderr; null or TtyMode::enabled: not attached
  // TtyMode::enabled only: the local terminal's size, sent when the stream opens
  // and again on each SIGWINCH (when it changed). Null: no resize messages.
  std::function<std::optional<TerminalSize>()> terminal_size;
};

struct ExecResult
{
  int exit_code = 0;                              // the remote command's exit code, 0-255
  ChannelProtocol protocol = ChannelProtocol::v5; // the subprotocol the server chose
};

// Lets another thread stop a running exec(): the connection is closed and exec()
// throws ExecError(ExecFailure::cancelled), exit code 130. Thread-safe; not
// async-signal-safe (a signal handler should wake a thread that calls cancel()).
class ExecCancellation
{
public:
  void cancel();
  bool cancelled() const;

  // For exec(): `on_cancel` runs on the cancelling thread at cancel(), or at
  // once if cancel() already happened. clear_handler() returns only when no call
  // of it is running.
  void set_handler(std::function<void()> on_cancel);
  void clear_handler();

private:
  mutable std::mutex m_mutex;
  bool m_cancelled = false;
  std::function<void()> m_on_cancel;
};

// Runs request.command in the pod and streams until the command ends. Returns its
// exit code (a non-zero code is a result, not an error). Throws ExecError:
//   refused   the upgrade was answered with an HTTP error; what() is kubectl's line
//             ("Error from server (NotFound): pods \"x\" not found")
//   transport DNS, connect, TLS (naming the host and the CA origin) or a lost
//             connection before the exit status arrived
//   protocol  the server chose a subprotocol not offered, or broke the framing
//   remote    the command could not run ("command failed in the container ...")
//   cancelled `cancellation` was cancelled
// and kpg::Error when a local stream fails (EPIPE on stdout). After a 401 the
// credential is invalidated and the upgrade tried once more, as client-go does.
ExecResult exec(const RestConfig& config, const ExecRequest& request, ExecStreams& streams,
                ExecCancellation* cancellation = nullptr);

} // namespace kpg::kube
