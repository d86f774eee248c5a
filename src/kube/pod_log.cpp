#include "kube/pod_log.hpp"

#include "kube/resource.hpp"

#include <fmt/format.h>

namespace kpg::kube {

Result<std::string> pod_log(RestClient& client, const PodLogRequest& request)
{
  HttpRequest http;
  http.path = fmt::format("/api/v1/namespaces/{}/pods/{}/log?tailLines={}", request.namespace_name,
                          request.pod, request.tail_lines);
  if (!request.container.empty()) {
    http.path += "&container=" + query_escape(request.container);
  }
  if (request.previous) {
    http.path += "&previous=true";
  }
  auto response = client.request(std::move(http), fmt::format("pods {}", request.pod));
  if (!response) {
    return unexpected(std::move(response).error());
  }
  return std::move(response->body);
}

} // namespace kpg::kube
