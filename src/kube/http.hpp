#pragma once
// HTTP requests and responses as the REST client sees them, and the Transport
// interface that sends them. CurlTransport (curl_transport.hpp) is the real
// one; unit tests use a fake so retry, rate-limit and error logic run without
// sockets.

#include "core/expected.hpp"
#include "kube/rest_config.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kpg::kube {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// HTTP header names compare case-insensitively (RFC 9110 5.1).
bool header_name_equals(std::string_view a, std::string_view b);

struct HttpRequest
{
  std::string method = "GET";
  std::string path; // path and query from the server root: "/api/v1/namespaces/db/pods?limit=500"
  HttpHeaders
    headers; // besides Authorization, User-Agent and Accept-Encoding, which the transport sets
  std::string body;
  CredentialSource::Credential
    credential; // bearer token and/or client certificate for this request
  // 0: no overall timeout (watches, proxies, --request-timeout=0).
  std::chrono::milliseconds timeout{ 0 };
};

struct HttpResponse
{
  long status = 0;
  HttpHeaders headers;  // names as received; look up with header()
  std::string body;     // empty when the body was streamed to a BodyChunkHandler
  bool stopped = false; // the BodyChunkHandler asked to stop before the end of the body

  // The first header called `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  // Every header called `name`, in order (e.g. each Warning).
  std::vector<std::string> headers_named(std::string_view name) const;
};

// Why a request got no HTTP response at all.
enum class TransportErrorKind
{
  dns,                // the host name does not resolve
  connection_refused, // nothing listens, or a firewall rejects
  timeout,            // connect or --request-timeout ran out
  tls_verify,         // the server certificate is not trusted (CA, name, expiry)
  tls_handshake,      // TLS failed otherwise (client certificate rejected, protocol)
  client_certificate, // our certificate or key could not be used
  connection_dropped, // the connection closed or reset mid-request
  proxy,              // the proxy failed
  other,
};

struct TransportError
{
  TransportErrorKind kind = TransportErrorKind::other;
  int curl_code = 0;   // CURLcode
  std::string message; // plain explanation naming host, CA origin, what to check
};

// Receives a 2xx response body as it arrives; return false to stop the transfer.
using BodyChunkHandler = std::function<bool(std::string_view chunk)>;

class Transport
{
public:
  virtual ~Transport() = default;
  // Sends one request and returns the response, whatever its status. With
  // `on_chunk`, a 2xx body goes to it piece by piece instead of into
  // HttpResponse::body (other statuses are still buffered, to read the Status).
  virtual Expected<HttpResponse, TransportError> send(const HttpRequest& request,
                                                      const BodyChunkHandler& on_chunk) = 0;
};

} // namespace kpg::kube
