#pragma once
// The REST layer every API call goes through: client-side rate limit,
// credentials, client-go's retry rules, Warning headers, -v logging, and the
// split of failures into ApiError (the server's Status) and TransportError.
//
// Retries (client-go rest/with_retry.go, rest/request.go; K8S_API.md 9):
//   - 429 or >= 500 carrying a numeric Retry-After: sleep that many seconds and
//     retry, at most 10 times;
//   - GET only: a connection reset or dropped mid-request is retried after 1 s;
//   - 401: the credential source is invalidated (token file re-read, exec
//     plugin re-run); the request is retried once, only if the credential
//     actually changed (client-go does not retry; a CLI run is short and a
//     refreshed credential usually fixes the request).
// Streams (watch) are neither rate-limited nor retried here; watch.hpp resumes them.
//
// Not thread-safe, nor are what it holds (CurlTransport's handle pool and CURLSH
// share without lock functions, the RateLimiter, the Logger writing to the
// Context's stderr): use a client from one thread. status runs its SQL execs on
// other threads (core/task_group.hpp) but keeps every API request on the main one.
// Every request, streams included, carries RestConfig::impersonation as
// Impersonate-* headers (impersonation.hpp), logged at -v 7 like other headers.

#include "core/clock.hpp"
#include "core/expected.hpp"
#include "kube/api_error.hpp"
#include "kube/http.hpp"
#include "kube/logger.hpp"
#include "kube/rate_limiter.hpp"
#include "kube/rest_config.hpp"

#include <functional>
#include <iosfwd>
#include <set>
#include <string>
#include <string_view>

namespace kpg::kube {

template<typename T>
using Result = Expected<T, KubeError>;

// Receives the text of each Warning response header (RFC 7234 `299 - "text"`).
using WarningHandler = std::function<void(std::string_view text)>;

// Prints each distinct warning once as "Warning: <text>" (kubectl's default handler).
class WarningPrinter
{
public:
  explicit WarningPrinter(std::ostream& err)
    : m_err(err)
  {
  }
  void operator()(std::string_view text);

private:
  std::ostream& m_err;
  std::set<std::string, std::less<>> m_seen;
};

// The text of one Warning header value: `299 - "a \"quoted\" text"` -> `a "quoted" text`.
std::string parse_warning_header(std::string_view value);

class RestClient
{
public:
  // `config` gives the credentials, request timeout and rate limit; `transport`
  // sends. Both must outlive the client.
  RestClient(const RestConfig& config, Transport& transport, Clock& clock, Logger logger = {},
             WarningHandler warnings = {});

  // Sends `request`; a non-2xx answer becomes an ApiError. `what` names the
  // object for client-go's generic messages, e.g. "statefulsets.apps pg".
  Result<HttpResponse> request(HttpRequest request, std::string_view what = {});
  // As request(), but any HTTP answer is returned as is (the pod proxy passes
  // the backend's own status through).
  Result<HttpResponse> request_raw(HttpRequest request);
  // Sends a long-running request whose 2xx body goes to `on_chunk` as it
  // arrives; non-2xx answers become ApiError.
  Result<HttpResponse> stream(HttpRequest request, const BodyChunkHandler& on_chunk,
                              std::string_view what = {});

  const RestConfig& config() const
  {
    return m_config;
  }
  Clock& clock() const
  {
    return m_clock;
  }
  const Logger& logger() const
  {
    return m_logger;
  }

private:
  Result<HttpResponse> send_with_retries(HttpRequest& request);
  Expected<HttpResponse, TransportError> send_once(const HttpRequest& request,
                                                   const BodyChunkHandler& on_chunk);
  void attach_credential(HttpRequest& request);
  // Appends the Impersonate-* headers of RestConfig::impersonation (once per request).
  void add_impersonation(HttpRequest& request) const;

  const RestConfig& m_config;
  Transport& m_transport;
  Clock& m_clock;
  Logger m_logger;
  WarningHandler m_warnings;
  RateLimiter m_rate_limiter;
};

} // namespace kpg::kube
