#pragma once
// One command's connection to the API server: resolves the kubeconfig (or
// in-cluster configuration) from the Context's global flags and owns the
// libcurl transport (one connection pool, so one TLS handshake per command),
// the rate-limited REST client and the printer for `Warning:` headers.
//
// Usage in a command:
//   kube::Session session(ctx);
//   kube::ResourceClient pods(session.client(), kube::resource_for("v1", "Pod"), ns);
//
// Errors: the constructor throws kpg::UsageError for an unusable kubeconfig
// (exit code 2) with client-go's wording.

#include "kube/curl_transport.hpp"
#include "kube/rest_client.hpp"
#include "kube/rest_config.hpp"

namespace kpg {
struct Context;
}

namespace kpg::kube {

// Per-command adjustments of the REST client.
struct SessionOptions
{
  // Client-side rate limit burst (client-go's default 10, QPS 5 after it). A
  // command that sends one bounded batch (create: one request per object) may
  // raise it to the batch's size so the batch is not spread over seconds;
  // kubectl sends `apply` batches unthrottled too, and the server protects
  // itself with API Priority and Fairness (429 + Retry-After, which the client
  // honours).
  int burst = 0; // 0: the default
};

class Session
{
public:
  // Prints a warning on ctx.err when the kubeconfig or --insecure-skip-tls-verify
  // disables TLS verification.
  explicit Session(Context& ctx, const SessionOptions& options = {});
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  RestClient& client()
  {
    return m_client;
  }
  const RestConfig& config() const
  {
    return m_config;
  }
  // The namespace commands act in: -n, else the context's, else "default".
  const std::string& namespace_name() const
  {
    return m_config.namespace_name;
  }

private:
  RestConfig m_config;
  CurlTransport m_transport;
  WarningPrinter m_warnings;
  RestClient m_client;
};

} // namespace kpg::kube
