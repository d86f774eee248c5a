#include "kube/session.hpp"

#include "core/context.hpp"
#include "kube/client_config.hpp"
#include "kube/logger.hpp"

#include <fmt/format.h>

#include <functional>
#include <ostream>

namespace kpg::kube {

namespace {

RestConfig adjusted(RestConfig config, const SessionOptions& options)
{
  if (options.burst > config.burst) {
    config.burst = options.burst;
  }
  return config;
}

} // namespace

Session::Session(Context& ctx, const SessionOptions& options)
  : m_config(adjusted(load_rest_config(ctx), options))
  , m_transport(m_config, ctx.getenv)
  , m_warnings(ctx.err)
  , m_client(m_config, m_transport, ctx.clock, Logger(ctx.err, ctx.options.verbosity),
             std::ref(m_warnings))
{
  if (m_config.insecure_skip_tls_verify) {
    ctx.err << fmt::format("Warning: TLS verification of {} is disabled by {}; the connection "
                           "is not protected against interception\n",
                           m_config.server,
                           ctx.options.insecure_skip_tls_verify
                             ? "--insecure-skip-tls-verify"
                             : "the kubeconfig (insecure-skip-tls-verify)");
  }
}

} // namespace kpg::kube
