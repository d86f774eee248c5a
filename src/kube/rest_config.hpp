#pragma once
// How to reach and authenticate to one API server: the result of resolving a
// kubeconfig (or in-cluster configuration) plus kubectl's global flags. Every
// transport (libcurl for REST, Boost.Beast for WebSocket streams) is built from
// a RestConfig and nothing else.
//
// Sources: client-go tools/clientcmd/api/v1/types.go (fields),
// tools/clientcmd/client_config.go (precedence), rest/config.go (defaults);
// ../shared/K8S_API.md sections 1 and 9.

#include "core/secret_string.hpp"
#include "kube/impersonation.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace kpg::kube {

// Supplies the bearer token or client certificate for a request. Implementations:
// a static token, a tokenFile re-read when it changes, an exec credential plugin
// cached until its expirationTimestamp, the in-cluster service account token.
// Implementations are thread-safe: current() and invalidate() may be called from
// several threads at once (status runs its SQL execs concurrently).
class CredentialSource
{
public:
  struct Credential
  {
    SecretString bearer_token;    // empty when the credential is a client certificate
    SecretString client_cert_pem; // PEM, with client_key_pem; empty for tokens
    SecretString client_key_pem;
  };

  virtual ~CredentialSource() = default;
  // The credential to use now. Throws kpg::Error when it cannot be obtained (the
  // message names the kubeconfig user and the plugin or file involved).
  virtual Credential current() = 0;
  // Called after a 401 Unauthorized: drop any cached credential so that the next
  // current() obtains a fresh one (exec plugins re-run, token files re-read).
  virtual void invalidate() = 0;
};

struct RestConfig
{
  std::string server;          // "https://host:port" (no trailing slash); http:// allowed for tests
  std::string tls_server_name; // SNI and the name verified; empty: the host of `server`
  std::string ca_pem;          // PEM bundle to verify the server; empty: the system store
  std::string ca_origin;       // where ca_pem came from, for error messages ("file /x/ca.crt",
                               // "kubeconfig cluster c1")
  bool insecure_skip_tls_verify = false; // only when the kubeconfig or flags say so
  std::string proxy_url; // kubeconfig proxy-url; empty: HTTPS_PROXY/NO_PROXY from the environment
  bool disable_compression = false;
  std::shared_ptr<CredentialSource> credentials; // null: anonymous
  Impersonation impersonation; // --as/--as-group/--as-uid, else the kubeconfig user's as*
  std::string namespace_name = "default";         // flag, then context, then "default"
  std::string context_name;                       // for messages: which kubeconfig context was used
  std::string user_name;                          // for messages: which kubeconfig user was used
  std::chrono::milliseconds request_timeout{ 0 }; // 0: no timeout (kubectl's default)
  double qps = 5.0; // client-side rate limit (client-go DefaultQPS); <= 0 disables
  int burst = 10;   // client-go DefaultBurst
};

} // namespace kpg::kube
