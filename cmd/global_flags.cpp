#include "cmd/commands.hpp"
#include "core/context.hpp"

#include <CLI/CLI.hpp>

namespace kpg::cmd {

void add_global_flags(CLI::App& app, Context& ctx)
{
  auto& opts = ctx.options;
  const char* group = "Global flags (as kubectl)";
  app.add_option("--kubeconfig", opts.kubeconfig, "Path to the kubeconfig file to use")
    ->group(group);
  app.add_option("--context", opts.context, "The name of the kubeconfig context to use")
    ->group(group);
  app.add_option("--cluster", opts.cluster, "The name of the kubeconfig cluster to use")
    ->group(group);
  app.add_option("--user", opts.user, "The name of the kubeconfig user to use")->group(group);
  app.add_option("-n,--namespace", opts.namespace_name,
                 "If present, the namespace scope for this request")
    ->group(group);
  app.add_option("-s,--server", opts.server,
                 "The address and port of the Kubernetes API server")
    ->group(group);
  app.add_option("--token", opts.token, "Bearer token for authentication to the API server")
    ->group(group);
  app.add_option("--request-timeout", opts.request_timeout,
                 "How long to wait for a single server request (e.g. 1s, 2m, 3h); 0 means "
                 "no timeout")
    ->capture_default_str()
    ->group(group);
  app.add_option("-v,--v", opts.verbosity, "Log level: 0 quiet .. 9 every request (secrets "
                                           "redacted)")
    ->check(CLI::Range(0, 10))
    ->group(group);
  app
    .add_option("--color", opts.color,
                "Colour tables on a terminal: auto (unless NO_COLOR is set or TERM=dumb), "
                "always or never")
    ->check(CLI::IsMember({ "auto", "always", "never" }))
    ->capture_default_str()
    ->group("Output");
}

} // namespace kpg::cmd
