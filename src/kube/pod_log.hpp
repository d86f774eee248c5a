#pragma once
// The last lines of a container's log: GET /api/v1/namespaces/NS/pods/NAME/log
// with container and tailLines (K8S_API.md 6.1; kubectl logs --tail). The body
// is plain text. Errors: the server's Status (404 for an unknown pod, 400 when
// the container has not started yet) or the transport's.

#include "kube/rest_client.hpp"

#include <string>

namespace kpg::kube {

struct PodLogRequest
{
  std::string namespace_name;
  std::string pod;
  std::string container; // "" when the pod has one container
  int tail_lines = 10;
  bool previous = false; // the previous (crashed) instance's log
};

Result<std::string> pod_log(RestClient& client, const PodLogRequest& request);

} // namespace kpg::kube
