#pragma once
// What to run in which pod, and the HTTP request target that asks for it:
//   /api/v1/namespaces/NS/pods/NAME/exec?command=A&command=B&container=C&stderr=true&stdin=true&stdout=true&tty=true
// One command= per argv element, parameters in the order Go's url.Values.Encode
// writes them, flags only when true (as client-go sends PodExecOptions).
// Sources: kubernetes/api core/v1/types.go (PodExecOptions); ../shared/K8S_API.md 5.1.

#include "core/expected.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace kpg::kube {

enum class TtyMode
{
  disabled, // stdout and stderr stay apart; no terminal on the remote side
  enabled,  // the remote command gets a terminal; stderr is merged into stdout
};

struct ExecRequest
{
  std::string namespace_name;
  std::string pod;
  std::string container; // empty: the pod's only container (the server rejects it otherwise)
  std::vector<std::string> command; // argv, not a shell line; must not be empty
  TtyMode tty = TtyMode::disabled;
};

// Which standard streams the request attaches (at least one must be).
struct AttachedStreams
{
  bool std_in = false;
  bool std_out = false;
  bool std_err = false;
};

// The parts of RestConfig::server a socket needs.
struct ServerEndpoint
{
  enum class Scheme
  {
    https,
    http
  };
  Scheme scheme = Scheme::https;
  std::string host;        // as in the URL; IPv6 without brackets ("::1")
  std::string port;        // explicit or the scheme's default ("443", "80")
  std::string host_header; // Host header value: "host" or "host:port", IPv6 bracketed
  std::string base_path;   // a path prefix behind a proxy ("/k8s/clusters/c-1"), or ""
};

// Parses "https://host[:port][/prefix]". The error names the URL and the problem.
Expected<ServerEndpoint, std::string> parse_server_url(std::string_view server);

// The request target (path and query) for an exec on `server`.
std::string exec_target(const ServerEndpoint& server, const ExecRequest& request,
                        AttachedStreams streams);

} // namespace kpg::kube
