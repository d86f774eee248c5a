#pragma once
// The real Transport: libcurl with OpenSSL.
//
//   - One CURLSH share holds the connection cache, TLS sessions and DNS for
//     every easy handle, and easy handles are reused: a whole `create` is one
//     TCP connection and one TLS handshake (README "Connecting to the cluster").
//   - HTTP/2 over TLS when the server offers it (CURL_HTTP_VERSION_2TLS, ALPN),
//     HTTP/1.1 otherwise; gzip unless the kubeconfig disables compression.
//   - CA, client certificate and key are handed to curl in memory
//     (CURLOPT_CAINFO_BLOB, SSLCERT_BLOB, SSLKEY_BLOB): never temporary files.
//   - tls-server-name: the URL carries that name (SNI and verification) and
//     CURLOPT_CONNECT_TO sends the connection to the real host; the Host header
//     keeps the server's own authority, as Go does.
//   - Proxy: the kubeconfig's proxy-url, else HTTPS_PROXY/HTTP_PROXY and
//     NO_PROXY (upper or lower case) read through the injected EnvLookup.
//   - Connect timeout 30 s and TCP keep-alive 30 s (client-go transport/cache.go).

#include "core/context.hpp"
#include "kube/curl_handle.hpp"
#include "kube/http.hpp"
#include "kube/rest_config.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kpg::kube {

// What the transport has done so far (benchmarks, -v 9, tests).
struct TransportStats
{
  std::size_t requests = 0;
  std::size_t connections = 0; // new TCP connections, i.e. TLS handshakes for https
};

// "kubectl-pg/v0.1.0 (linux/amd64) kubernetes/unknown" (client-go buildUserAgent's shape).
std::string default_user_agent();

class CurlTransport : public Transport
{
public:
  // Throws kpg::Error when `config.server` is not a valid http(s) URL.
  CurlTransport(const RestConfig& config, EnvLookup env);
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;
  ~CurlTransport() override;

  Expected<HttpResponse, TransportError> send(const HttpRequest& request,
                                              const BodyChunkHandler& on_chunk) override;

  TransportStats stats() const
  {
    return m_stats;
  }

private:
  struct Handle
  {
    CurlEasy easy;
    bool busy = false;
  };
  Handle& acquire_handle();
  void apply_connection_options(CURL* easy) const;

  const RestConfig& m_config;
  EnvLookup m_env;
  std::string m_user_agent;
  std::string m_scheme;
  std::string m_host; // as in the URL (IPv6 in brackets)
  std::string m_port;
  std::string m_url_base;   // scheme://(tls-server-name or host):port
  std::string m_connect_to; // CURLOPT_CONNECT_TO entry when tls-server-name is set
  std::optional<std::string> m_proxy;
  std::optional<std::string> m_no_proxy;
  CurlShare m_share; // before m_handles: destroyed after them
  std::vector<std::unique_ptr<Handle>> m_handles;
  TransportStats m_stats;
};

} // namespace kpg::kube
