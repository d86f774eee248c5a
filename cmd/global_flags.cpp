#include "cmd/commands.hpp"
#include "core/context.hpp"

#include <CLI/CLI.hpp>

namespace kpg::cmd {

// kubectl's global flags (`kubectl options`), with kubectl's names and help
// texts; src/kube/client_config.hpp applies them over the kubeconfig.
void add_global_flags(CLI::App& app, Context& ctx)
{
  auto& opts = ctx.options;
  const auto option = [&app](const char* names, auto& target, const char* help) {
    return app.add_option(names, target, help)->group("Global flags (as kubectl)");
  };
  option("--kubeconfig", opts.kubeconfig, "Path to the kubeconfig file to use");
  option("--context", opts.context, "The name of the kubeconfig context to use");
  option("--cluster", opts.cluster, "The name of the kubeconfig cluster to use");
  option("--user", opts.user, "The name of the kubeconfig user to use");
  option("-n,--namespace", opts.namespace_name, "If present, the namespace scope for this request");
  option("-s,--server", opts.server, "The address and port of the Kubernetes API server");
  option("--token", opts.token, "Bearer token for authentication to the API server");
  option("--certificate-authority", opts.certificate_authority,
         "Path to a cert file for the certificate authority");
  option("--client-certificate", opts.client_certificate,
         "Path to a client certificate file for TLS");
  option("--client-key", opts.client_key, "Path to a client key file for TLS");
  app
    .add_flag("--insecure-skip-tls-verify", opts.insecure_skip_tls_verify,
              "If true, the server's certificate will not be checked for validity. This will "
              "make your HTTPS connections insecure")
    ->group("Global flags (as kubectl)");
  option("--tls-server-name", opts.tls_server_name,
         "Server name to use for server certificate validation. If it is not provided, the "
         "hostname used to contact the server is used");
  option("--as", opts.impersonate_user,
         "Username to impersonate for the operation. User could be a regular user or a service "
         "account in a namespace");
  option("--as-group", opts.impersonate_groups,
         "Group to impersonate for the operation, this flag can be repeated to specify multiple "
         "groups")
    ->expected(1) // one group per occurrence (kubectl's StringArray: no comma splitting)
    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  option("--as-uid", opts.impersonate_uid, "UID to impersonate for the operation");
  option("--request-timeout", opts.request_timeout,
         "How long to wait for a single server request (e.g. 1s, 2m, 3h); 0 means no timeout")
    ->capture_default_str();
  option("-v,--v", opts.verbosity,
         "Log level 0..10: 6 logs each request, 7 request headers, 8 bodies, 9 response "
         "headers (secrets redacted)")
    ->check(CLI::Range(0, 10));
  app
    .add_option("--color", opts.color,
                "Colour tables on a terminal: auto (unless NO_COLOR is set or TERM=dumb), "
                "always or never")
    ->check(CLI::IsMember({ "auto", "always", "never" }))
    ->capture_default_str()
    ->group("Output");
}

} // namespace kpg::cmd
