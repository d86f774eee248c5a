#include "kube/rest_client.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <optional>
#include <ostream>

namespace kpg::kube {

namespace {

constexpr int k_max_retries = 10; // client-go rest.Request maxRetries

bool is_success(long status)
{
  return status >= 200 && status < 300;
}

// client-go checkWait: 429 or >= 500 with an integer Retry-After (seconds).
std::optional<int> retry_after_seconds(const HttpResponse& response)
{
  if (response.status != 429 && response.status < 500) {
    return std::nullopt;
  }
  const auto header = response.header("Retry-After");
  if (!header) {
    return std::nullopt;
  }
  int seconds = 0;
  const auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), seconds);
  if (ec != std::errc() || end != header->data() + header->size() || seconds < 0) {
    return std::nullopt;
  }
  return seconds;
}

bool same_credential(const CredentialSource::Credential& a, const CredentialSource::Credential& b)
{
  return a.bearer_token == b.bearer_token && a.client_cert_pem == b.client_cert_pem &&
         a.client_key_pem == b.client_key_pem;
}

} // namespace

void WarningPrinter::operator()(std::string_view text)
{
  if (m_seen.insert(std::string(text)).second) {
    m_err << "Warning: " << text << '\n';
  }
}

std::string parse_warning_header(std::string_view value)
{
  // warn-code SP warn-agent SP quoted-text [SP warn-date]
  const auto quote = value.find('"');
  if (quote == std::string_view::npos) {
    return std::string(value);
  }
  std::string text;
  for (std::size_t i = quote + 1; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) {
      text += value[++i];
    } else if (value[i] == '"') {
      return text;
    } else {
      text += value[i];
    }
  }
  return std::string(value); // unterminated: show it whole
}

RestClient::RestClient(const RestConfig& config, Transport& transport, Clock& clock, Logger logger,
                       WarningHandler warnings)
  : m_config(config)
  , m_transport(transport)
  , m_clock(clock)
  , m_logger(logger)
  , m_warnings(std::move(warnings))
  , m_rate_limiter(config.qps, config.burst, clock)
{
}

Result<HttpResponse> RestClient::request(HttpRequest request, std::string_view what)
{
  auto response = send_with_retries(request);
  if (response && !is_success(response->status)) {
    return unexpected(KubeError(ApiError(status_from_response(*response, request.method, what))));
  }
  return response;
}

Result<HttpResponse> RestClient::request_raw(HttpRequest request)
{
  return send_with_retries(request);
}

Result<HttpResponse> RestClient::stream(HttpRequest request, const BodyChunkHandler& on_chunk,
                                        std::string_view what)
{
  add_impersonation(request);
  attach_credential(request);
  auto response = send_once(request, on_chunk);
  if (!response) {
    return unexpected(KubeError(std::move(response).error()));
  }
  if (response->status == 401 && m_config.credentials) {
    m_config.credentials->invalidate();
  }
  if (!is_success(response->status)) {
    return unexpected(KubeError(ApiError(status_from_response(*response, request.method, what))));
  }
  return std::move(*response);
}

void RestClient::add_impersonation(HttpRequest& request) const
{
  for (auto& header : impersonation_headers(m_config.impersonation)) {
    request.headers.push_back(std::move(header));
  }
}

void RestClient::attach_credential(HttpRequest& request)
{
  request.credential =
    m_config.credentials ? m_config.credentials->current() : CredentialSource::Credential{};
}

Expected<HttpResponse, TransportError> RestClient::send_once(const HttpRequest& request,
                                                             const BodyChunkHandler& on_chunk)
{
  if (m_logger.enabled(7)) {
    for (const auto& [name, value] : request.headers) {
      m_logger.log(7, fmt::format("Request Header: \"{}: {}\"", name, redact_header(name, value)));
    }
    if (!request.credential.bearer_token.empty()) {
      m_logger.log(7, "Request Header: \"Authorization: Bearer <masked>\"");
    }
  }
  if (m_logger.enabled(8) && !request.body.empty()) {
    m_logger.log(8, fmt::format("Request Body: {}", redact_body(request.body)));
  }
  const auto start = m_clock.now();
  auto response = m_transport.send(request, on_chunk);
  const auto elapsed =
    std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.now() - start).count();
  const std::string url = m_config.server + request.path;
  if (!response) {
    m_logger.log(6, fmt::format("{} {}  in {} milliseconds: {}", request.method, url, elapsed,
                                response.error().message));
    return response;
  }
  m_logger.log(
    6, fmt::format("{} {} {} in {} milliseconds", request.method, url, response->status, elapsed));
  if (m_logger.enabled(9)) {
    for (const auto& [name, value] : response->headers) {
      m_logger.log(9, fmt::format("Response Header: \"{}: {}\"", name, value));
    }
  }
  if (m_logger.enabled(8) && !response->body.empty()) {
    m_logger.log(8, fmt::format("Response Body: {}", redact_body(response->body)));
  }
  if (m_warnings) {
    for (const auto& value : response->headers_named("Warning")) {
      m_warnings(parse_warning_header(value));
    }
  }
  return response;
}

Result<HttpResponse> RestClient::send_with_retries(HttpRequest& request)
{
  if (request.timeout.count() == 0) {
    request.timeout = m_config.request_timeout;
  }
  add_impersonation(request);
  bool refreshed_credential = false;
  for (int retries = 0;; ++retries) {
    m_rate_limiter.acquire();
    attach_credential(request);
    auto response = send_once(request, {});
    if (!response) {
      const bool retryable =
        request.method == "GET" && response.error().kind == TransportErrorKind::connection_dropped;
      if (retryable && retries < k_max_retries) {
        m_logger.log(9, fmt::format("retrying GET {} after a dropped connection", request.path));
        m_clock.sleep_for(std::chrono::seconds(1));
        continue;
      }
      return unexpected(KubeError(std::move(response).error()));
    }
    if (response->status == 401 && m_config.credentials && !refreshed_credential) {
      const auto used = request.credential;
      m_config.credentials->invalidate();
      refreshed_credential = true;
      attach_credential(request);
      if (!same_credential(used, request.credential)) {
        m_logger.log(9, "401 Unauthorized: retrying once with a refreshed credential");
        continue;
      }
    }
    if (const auto wait = retry_after_seconds(*response); wait && retries < k_max_retries) {
      m_logger.log(9, fmt::format("{} {}: retrying after {} s (Retry-After)", response->status,
                                  request.path, *wait));
      m_clock.sleep_for(std::chrono::seconds(*wait));
      continue;
    }
    return std::move(*response);
  }
}

} // namespace kpg::kube
