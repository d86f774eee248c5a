#include "kube/exec_request.hpp"

#include "kube/curl_handle.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>

namespace kpg::kube {

namespace {

void append_query(CURLU* url, std::string_view name, std::string_view value)
{
  const std::string pair = fmt::format("{}={}", name, value);
  curl_url_set(url, CURLUPART_QUERY, pair.c_str(), CURLU_APPENDQUERY | CURLU_URLENCODE);
}

} // namespace

Expected<ServerEndpoint, std::string> parse_server_url(std::string_view server)
{
  const CurlUrl url(curl_url());
  const std::string text(server);
  if (!url || curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return unexpected(fmt::format("server URL {:?} is not a valid URL", server));
  }
  ServerEndpoint endpoint;
  const std::string scheme = url_part(url.get(), CURLUPART_SCHEME);
  if (scheme == "http") {
    endpoint.scheme = ServerEndpoint::Scheme::http;
  } else if (scheme != "https") {
    return unexpected(fmt::format("server URL {:?}: scheme must be https or http", server));
  }
  endpoint.host = url_part(url.get(), CURLUPART_HOST);
  const std::string explicit_port = url_part(url.get(), CURLUPART_PORT);
  endpoint.port = url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  endpoint.host_header =
    explicit_port.empty() ? endpoint.host : fmt::format("{}:{}", endpoint.host, explicit_port);
  if (endpoint.host.size() > 2 && endpoint.host.front() == '[') {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  endpoint.base_path = url_part(url.get(), CURLUPART_PATH);
  while (!endpoint.base_path.empty() && endpoint.base_path.back() == '/') {
    endpoint.base_path.pop_back();
  }
  return endpoint;
}

std::string exec_target(const ServerEndpoint& server, const ExecRequest& request,
                        AttachedStreams streams)
{
  const CurlUrl url(curl_url());
  const std::string path = fmt::format("{}/api/v1/namespaces/{}/pods/{}/exec", server.base_path,
                                       url_escape(request.namespace_name), url_escape(request.pod));
  curl_url_set(url.get(), CURLUPART_URL, "http://target.invalid/", 0);
  curl_url_set(url.get(), CURLUPART_PATH, path.c_str(), 0);
  for (const auto& argument : request.command) {
    append_query(url.get(), "command", argument);
  }
  if (!request.container.empty()) {
    append_query(url.get(), "container", request.container);
  }
  const bool tty = request.tty == TtyMode::enabled;
  for (const auto& [name, wanted] :
       { std::pair{ "stderr", streams.std_err && !tty }, std::pair{ "stdin", streams.std_in },
         std::pair{ "stdout", streams.std_out }, std::pair{ "tty", tty } }) {
    if (wanted) {
      append_query(url.get(), name, "true");
    }
  }
  const std::string query = url_part(url.get(), CURLUPART_QUERY);
  return query.empty() ? path : fmt::format("{}?{}", path, query);
}

} // namespace kpg::kube
