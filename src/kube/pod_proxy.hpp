#pragma once
// HTTP requests to a port of a pod through the API server's pod proxy
// (K8S_API.md 6.3): /api/v1/namespaces/NS/pods/[https:]NAME:PORT/proxy/PATH.
// The backend's status and body pass through unchanged (Patroni's /primary
// answers 503 on a replica, and that is an answer, not an error); only
// transport failures are errors. Proxy requests are long-running on the server
// side, so no server-side 60 s cut applies; --request-timeout still does.

#include "kube/rest_client.hpp"

#include <chrono>
#include <string>

namespace kpg::kube {

enum class PodScheme
{
  http,
  https
};

struct PodProxyRequest
{
  std::string namespace_name;
  std::string pod;
  int port = 0;
  PodScheme scheme = PodScheme::http;
  std::string method = "GET";
  std::string path; // below the pod's root, e.g. "/patroni" or "switchover?x=1"
  std::string body;
  std::string content_type = "application/json";
  // Overall time for this request; 0: --request-timeout's. A frozen pod accepts
  // the connection and never answers, so status bounds each call.
  std::chrono::milliseconds timeout{ 0 };
};

// "/api/v1/namespaces/db/pods/pg-0:8008/proxy/patroni"
std::string pod_proxy_path(const PodProxyRequest& request);

// The backend's answer (any status). A pod that does not exist or has no IP
// answers with the API server's Status (404, 400, 503): is_api_status() tells.
Result<HttpResponse> pod_proxy(RestClient& client, const PodProxyRequest& request);

// Whether a proxy answer is the API server's own Status rather than the pod's.
bool is_api_status(const HttpResponse& response);

} // namespace kpg::kube
