#pragma once
// Resolves kubectl's global flags and the kubeconfig (or a pod's service
// account) into the RestConfig every transport is built from.
//
// Precedence (client-go tools/clientcmd/client_config.go getAuthInfo,
// getCluster, ClientConfig; K8S_API.md 1.1-1.4). A flag always beats the kubeconfig:
//   context   --context, else current-context
//   cluster   --cluster, else the context's;  user: --user, else the context's
//   server    --server, else the cluster's;   token: --token, else the user's
//   TLS       --insecure-skip-tls-verify or --certificate-authority replace the
//             cluster's insecure-skip-tls-verify, certificate-authority AND
//             certificate-authority-data together (the insecure flag clears the CA);
//             --tls-server-name, else the cluster's unless --server is given
//   client certificate  --client-certificate (--client-key) replace the user's
//             client-certificate(-key) and drop its -data field
//   impersonation  --as, --as-uid, --as-group (each) over the user's as, as-uid,
//             as-groups; as-user-extra from the kubeconfig only; nothing is
//             impersonated without a user name
//   namespace -n, else the context's, else "default"
//   credentials (https only): token (or tokenFile) and/or client certificate;
//   the exec plugin only when neither is set (client-go exec.go
//   UpdateTransportConfig)
//   in-cluster: when no kubeconfig gives a usable cluster and
//   KUBERNETES_SERVICE_HOST/PORT are set and the service account token exists;
//   then only --server, --token, --certificate-authority, -n (client-go
//   inClusterClientConfig) and the impersonation flags (kubectl ignores those in a
//   pod: kubernetes#93474) apply.
//
// Errors are worded as client-go's (validation.go, transport.go), e.g.
//   invalid configuration: more than one authentication method found for u; found [token
//   basicAuth], only one is allowed
//   context "x" does not exist
//   specifying a root certificates file with the insecure flag is not allowed
//   (--certificate-authority with --insecure-skip-tls-verify, or a kubeconfig with both)

#include "core/clock.hpp"
#include "core/context.hpp"
#include "kube/exec_plugin.hpp"
#include "kube/rest_config.hpp"

#include <chrono>
#include <string>

namespace kpg::kube {

struct LoadOptions
{
  // In-cluster configuration: token, ca.crt and namespace files.
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
  // Exec plugins with interactiveMode IfAvailable/Always get stdin only on a terminal.
  StdinIsTerminal stdin_is_terminal = StdinIsTerminal::no;
};

// Throws kpg::UsageError (exit code 2) when the kubeconfig cannot be read or is
// invalid, or when no configuration exists at all; nothing has been sent yet.
// `clock` is kept by exec plugin credentials (expiry) and must outlive the result.
RestConfig load_rest_config(const GlobalOptions& options, const EnvLookup& env, Clock& clock,
                            const LoadOptions& load = {});

// The same from a command's Context (flags, environment, stdin TTY, clock).
RestConfig load_rest_config(const Context& ctx);

// kubectl's --request-timeout: "0" (none), an integer (seconds) or a Go
// duration ("1s", "2m", "1m30s", "500ms"). Throws kpg::UsageError otherwise.
std::chrono::milliseconds parse_request_timeout(const std::string& text);

} // namespace kpg::kube
