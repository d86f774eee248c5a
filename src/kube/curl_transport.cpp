#include "kube/curl_transport.hpp"

#include "core/error.hpp"
#include "core/version.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace kpg::kube {

namespace {

constexpr long k_connect_timeout_ms = 30000; // client-go dial timeout
constexpr long k_keepalive_seconds = 30;

constexpr const char* k_arch =
#if defined(__x86_64__)
  "amd64";
#elif defined(__aarch64__)
  "arm64";
#else
  "unknown";
#endif

struct TransferState
{
  HttpResponse* response;
  const BodyChunkHandler* on_chunk;
  CURL* easy;
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user)
{
  auto* state = static_cast<TransferState*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  if (line.rfind("HTTP/", 0) == 0) {
    state->response->headers.clear(); // a new response (after 100 Continue or a proxy CONNECT)
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
    state->response->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user)
{
  auto* state = static_cast<TransferState*>(user);
  const std::string_view chunk(data, size * count);
  long status = 0;
  curl_easy_getinfo(state->easy, CURLINFO_RESPONSE_CODE, &status);
  if (*state->on_chunk && status >= 200 && status < 300) {
    if (!(*state->on_chunk)(chunk)) {
      state->response->stopped = true;
      return 0; // aborts the transfer with CURLE_WRITE_ERROR
    }
    return chunk.size();
  }
  state->response->body.append(chunk);
  return chunk.size();
}

std::optional<std::string> env_any(const EnvLookup& env, std::initializer_list<const char*> names)
{
  for (const char* name : names) {
    if (auto value = env(name); value && !value->empty()) {
      return value;
    }
  }
  return std::nullopt;
}

void set_blob(CURL* easy, CURLoption option, const std::string& pem)
{
  curl_blob blob{ const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY };
  curl_easy_setopt(easy, option, &blob);
}

TransportError make_error(CURLcode code, const char* detail, long os_errno,
                          const std::string& authority, const RestConfig& config,
                          const std::optional<std::string>& proxy)
{
  const std::string why = detail[0] != '\0' ? std::string(detail) : curl_easy_strerror(code);
  const std::string ca =
    config.ca_pem.empty() ? std::string("the system CA store") : config.ca_origin;
  const int curl_code = static_cast<int>(code);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return { TransportErrorKind::dns, curl_code,
               fmt::format(
                 "cannot resolve the API server host of {} (DNS lookup failed: {}); check "
                 "`server` in the kubeconfig, DNS and VPN",
                 config.server, why) };
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_PROXY:
      return { TransportErrorKind::proxy, curl_code, fmt::format("proxy failed: {}", why) };
    case CURLE_COULDNT_CONNECT:
      if (proxy) {
        return { TransportErrorKind::proxy, curl_code,
                 fmt::format("cannot connect to the proxy {} (from {}): {}", *proxy,
                             config.proxy_url.empty() ? "the environment" : "proxy-url", why) };
      }
      if (os_errno == ECONNREFUSED) {
        return { TransportErrorKind::connection_refused, curl_code,
                 fmt::format("The connection to the server {} was refused - did you specify the "
                             "right host or port?",
                             authority) };
      }
      return { TransportErrorKind::other, curl_code,
               fmt::format("cannot connect to {}: {}", authority, why) };
    case CURLE_OPERATION_TIMEDOUT:
      return { TransportErrorKind::timeout, curl_code,
               fmt::format("timed out talking to {}: {} (see --request-timeout)", authority, why) };
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return { TransportErrorKind::tls_verify, curl_code,
               fmt::format(
                 "TLS verification of the server {} failed: {}; the trusted CA is {}. Check "
                 "certificate-authority(-data) and tls-server-name of the cluster",
                 authority, why, ca) };
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CLIENTCERT:
      return { TransportErrorKind::client_certificate, curl_code,
               fmt::format("the client certificate or key cannot be used with {}: {}", authority,
                           why) };
    case CURLE_SSL_CONNECT_ERROR:
      return { TransportErrorKind::tls_handshake, curl_code,
               fmt::format("TLS handshake with {} failed: {} (a server that rejects the client "
                           "certificate fails here too)",
                           authority, why) };
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      if (why.find("alert") != std::string::npos) {
        return { TransportErrorKind::tls_handshake, curl_code,
                 fmt::format("the server {} ended TLS with an alert: {} (a rejected, expired or "
                             "unknown client certificate looks like this)",
                             authority, why) };
      }
      [[fallthrough]];
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return { TransportErrorKind::connection_dropped, curl_code,
               fmt::format("the connection to {} was closed: {}", authority, why) };
    default:
      return { TransportErrorKind::other, curl_code, fmt::format("{}: {}", authority, why) };
  }
}

} // namespace

std::string default_user_agent()
{
  return fmt::format("kubectl-pg/v{} (linux/{}) kubernetes/unknown", k_version, k_arch);
}

CurlTransport::CurlTransport(const RestConfig& config, EnvLookup env)
  : m_config(config)
  , m_env(std::move(env))
  , m_user_agent(default_user_agent())
  , m_share(curl_share_init())
{
  CurlUrl url(curl_url());
  if (!url || curl_url_set(url.get(), CURLUPART_URL, config.server.c_str(), 0) != CURLUE_OK) {
    throw Error(
      fmt::format("invalid API server URL \"{}\": expected https://host[:port]", config.server));
  }
  m_scheme = url_part(url.get(), CURLUPART_SCHEME);
  if (m_scheme != "https" && m_scheme != "http") {
    throw Error(fmt::format("invalid API server URL \"{}\": the scheme must be https (or http)",
                            config.server));
  }
  m_host = url_part(url.get(), CURLUPART_HOST);
  m_port = url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  std::string prefix = url_part(url.get(), CURLUPART_PATH);
  while (!prefix.empty() && prefix.back() == '/') {
    prefix.pop_back();
  }
  const std::string& url_host = config.tls_server_name.empty() ? m_host : config.tls_server_name;
  m_url_base = fmt::format("{}://{}:{}{}", m_scheme, url_host, m_port, prefix);
  if (!config.tls_server_name.empty()) {
    m_connect_to = fmt::format("{}:{}:{}:{}", config.tls_server_name, m_port, m_host, m_port);
  }
  // The proxy: proxy-url, else the environment (read through EnvLookup, not by curl).
  if (!config.proxy_url.empty()) {
    m_proxy = config.proxy_url;
  } else {
    m_proxy = m_scheme == "https" ? env_any(m_env, { "HTTPS_PROXY", "https_proxy" })
                                  : env_any(m_env, { "HTTP_PROXY", "http_proxy" });
    if (m_proxy) {
      m_no_proxy = env_any(m_env, { "NO_PROXY", "no_proxy" });
    }
  }
  curl_share_setopt(m_share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(m_share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_share_setopt(m_share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
}

CurlTransport::~CurlTransport()
{
  m_handles.clear(); // easy handles before the share they use
}

CurlTransport::Handle& CurlTransport::acquire_handle()
{
  for (auto& handle : m_handles) {
    if (!handle->busy) {
      return *handle;
    }
  }
  auto handle = std::make_unique<Handle>();
  handle->easy.reset(curl_easy_init());
  if (!handle->easy) {
    throw Error("cannot initialise libcurl (curl_easy_init failed)");
  }
  m_handles.push_back(std::move(handle));
  return *m_handles.back();
}

void CurlTransport::apply_connection_options(CURL* easy) const
{
  curl_easy_setopt(easy, CURLOPT_SHARE, m_share.get());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(easy, CURLOPT_USERAGENT, m_user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, k_connect_timeout_ms);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, k_keepalive_seconds);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, k_keepalive_seconds);
  if (!m_config.disable_compression) {
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
  }
  if (m_config.insecure_skip_tls_verify) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!m_config.ca_pem.empty()) {
    set_blob(easy, CURLOPT_CAINFO_BLOB, m_config.ca_pem);
  }
  curl_easy_setopt(easy, CURLOPT_PROXY, m_proxy ? m_proxy->c_str() : "");
  if (m_no_proxy) {
    curl_easy_setopt(easy, CURLOPT_NOPROXY, m_no_proxy->c_str());
  }
}

Expected<HttpResponse, TransportError> CurlTransport::send(const HttpRequest& request,
                                                           const BodyChunkHandler& on_chunk)
{
  Handle& handle = acquire_handle();
  handle.busy = true;
  struct Release
  {
    Handle& handle;
    ~Release()
    {
      handle.busy = false;
    }
  } release{ handle };
  CURL* easy = handle.easy.get();
  curl_easy_reset(easy);
  apply_connection_options(easy);

  const std::string url = m_url_base + request.path;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  CurlHeaderList connect_to;
  if (!m_connect_to.empty()) {
    connect_to.append(m_connect_to);
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, connect_to.get());
  }

  CurlHeaderList headers;
  bool has_accept = false;
  for (const auto& [name, value] : request.headers) {
    has_accept = has_accept || name == "Accept";
    headers.append(fmt::format("{}: {}", name, value));
  }
  if (!has_accept) {
    headers.append("Accept: application/json, */*");
  }
  headers.append("Expect:");
  if (!m_config.tls_server_name.empty()) {
    headers.append(fmt::format("Host: {}:{}", m_host, m_port));
  }
  if (!request.credential.bearer_token.empty()) {
    const SecretString line("Authorization: Bearer " + request.credential.bearer_token.reveal());
    headers.append(line.reveal());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  if (!request.credential.client_cert_pem.empty()) {
    set_blob(easy, CURLOPT_SSLCERT_BLOB, request.credential.client_cert_pem.reveal());
    curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
    set_blob(easy, CURLOPT_SSLKEY_BLOB, request.credential.client_key_pem.reveal());
    curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
  }

  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty() || request.method == "POST") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    }
  }
  if (request.timeout.count() > 0) {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  }

  HttpResponse response;
  TransferState state{ &response, &on_chunk, easy };
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &state);
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer.data());

  const CURLcode code = curl_easy_perform(easy);
  ++m_stats.requests;
  long connects = 0;
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  m_stats.connections += static_cast<std::size_t>(connects);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && response.stopped)) {
    long os_errno = 0;
    curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
    return unexpected(
      make_error(code, error_buffer.data(), os_errno, m_host + ":" + m_port, m_config, m_proxy));
  }
  return response;
}

} // namespace kpg::kube
