#pragma once
// The spec create stored with a cluster: ConfigMap <name>-spec, key spec.yaml
// (render/spec_document.hpp), read back so that re-running create without -f
// re-applies the cluster as it is, changed only by the flags given.

#include "kube/rest_client.hpp"
#include "render/spec_loader.hpp"

#include <optional>
#include <string>

namespace kpg::pg {

// One GET of the ConfigMap. std::nullopt when the cluster has none (404: a new
// cluster, or one made before the spec was stored); a ConfigMap without the
// spec.yaml key counts as none too. The SpecFile's source names the ConfigMap
// ("configmap shop/orders-spec") so parse errors point at it.
// Errors: the KubeError of the GET (403, unreachable, ...).
kube::Result<std::optional<render::SpecFile>> read_stored_spec(kube::RestClient& client,
                                                               const std::string& namespace_name,
                                                               const std::string& cluster);

} // namespace kpg::pg
