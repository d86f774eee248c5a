#include "kube/pod_proxy.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kpg::kube {

std::string pod_proxy_path(const PodProxyRequest& request)
{
  std::string path = request.path;
  if (!path.empty() && path.front() == '/') {
    path.erase(0, 1);
  }
  return fmt::format("/api/v1/namespaces/{}/pods/{}{}:{}/proxy/{}", request.namespace_name,
                     request.scheme == PodScheme::https ? "https:" : "", request.pod, request.port,
                     path);
}

Result<HttpResponse> pod_proxy(RestClient& client, const PodProxyRequest& request)
{
  HttpRequest http;
  http.method = request.method;
  http.path = pod_proxy_path(request);
  http.body = request.body;
  http.timeout = request.timeout;
  if (!request.body.empty()) {
    http.headers.emplace_back("Content-Type", request.content_type);
  }
  return client.request_raw(std::move(http));
}

bool is_api_status(const HttpResponse& response)
{
  const auto type = response.header("Content-Type");
  if (!type || type->find("application/json") == std::string::npos) {
    return false;
  }
  const auto doc = nlohmann::json::parse(response.body, nullptr, false);
  return doc.is_object() && doc.value("kind", "") == "Status" &&
         doc.value("apiVersion", "") == "v1";
}

} // namespace kpg::kube
