#pragma once
// What `kubectl pg delete NAME` removes and what it keeps, found by label
// with one LIST per kind (nothing is derived from names, so clusters made
// from custom --templates are covered too):
//   - what create made: every object labelled render::cluster_selector(name), of the
//     kinds the templates render, removed in the reverse of create's order
//     (k_deletion_order): the workloads first, the Services, ConfigMaps,
//     Secrets and RBAC Patroni needs while it stops after them;
//   - the data: the members' PersistentVolumeClaims and Patroni's own
//     ConfigMaps (<name>-config, -leader, -sync, -failover: the cluster's
//     identity in Patroni's Kubernetes DCS), both labelled
//     render::database_selector(name) without managed-by. They go together: a kept
//     volume resumes with its DCS state, and a new cluster would not
//     bootstrap over a stale `initialize` key;
//   - the Namespace, when its labels say create made it for this cluster.

#include "kube/resource.hpp"
#include "kube/rest_client.hpp"
#include "pg/status_fetch.hpp"

#include <optional>
#include <string>
#include <vector>

namespace kpg::pg {

// When an object goes: the workloads (and what guards them) first; what the
// pods use (Services, configuration, Secrets, Patroni's RBAC) once they have
// stopped, so Patroni can still release its leader lock while it shuts down.
enum class DeleteStage
{
  workloads,
  after_pods,
};

struct ClusterObject
{
  kube::ResourceType type;
  std::string name;
  DeleteStage stage = DeleteStage::workloads;
};

// (apiVersion, kind) in the order delete removes them: the reverse of the
// order create applies them (templates/patroni/, the Namespace aside).
struct KindRef
{
  std::string_view api_version;
  std::string_view kind;
  DeleteStage stage;
};
inline constexpr KindRef k_deletion_order[] = {
  { "networking.k8s.io/v1", "NetworkPolicy", DeleteStage::workloads },
  { "policy/v1", "PodDisruptionBudget", DeleteStage::workloads },
  { "apps/v1", "Deployment", DeleteStage::workloads },
  { "apps/v1", "StatefulSet", DeleteStage::workloads },
  { "v1", "Service", DeleteStage::after_pods },
  { "v1", "ConfigMap", DeleteStage::after_pods },
  { "v1", "Secret", DeleteStage::after_pods },
  { "rbac.authorization.k8s.io/v1", "RoleBinding", DeleteStage::after_pods },
  { "rbac.authorization.k8s.io/v1", "Role", DeleteStage::after_pods },
  { "v1", "ServiceAccount", DeleteStage::after_pods },
};

struct DeletePlan
{
  std::string namespace_name;
  std::string name;
  std::vector<ClusterObject> objects;           // create's, in k_deletion_order
  std::vector<std::string> volume_claims;       // the members' PVCs, by ordinal
  std::vector<std::string> patroni_config_maps; // Patroni's DCS ConfigMaps

  // Nothing of the cluster is left at all.
  bool empty() const
  {
    return objects.empty() && volume_claims.empty() && patroni_config_maps.empty();
  }
  bool has_data() const
  {
    return !volume_claims.empty() || !patroni_config_maps.empty();
  }
};

// Lists what exists now. Errors: a LIST that failed.
Expected<DeletePlan, FetchError> plan_delete(kube::RestClient& client,
                                             const std::string& namespace_name,
                                             const std::string& name);

// Whether the Namespace exists and carries render::cluster_selector(name)'s labels:
// create made it for this cluster. A separate GET, asked only for
// --delete-namespace (namespace-scoped users may not read Namespaces).
Expected<bool, FetchError> namespace_created_for(kube::RestClient& client,
                                                 const std::string& namespace_name,
                                                 const std::string& name);

// "1 StatefulSet, 1 Deployment, 4 Services, 2 ConfigMaps": the objects
// counted per kind, in the plan's order.
std::string count_by_kind(const std::vector<ClusterObject>& objects);

// "3 PersistentVolumeClaims (pgdata-orders-0, pgdata-orders-1, pgdata-orders-2)
// and 2 Patroni ConfigMaps (orders-config, orders-leader)"; "" without data.
std::string describe_data(const DeletePlan& plan);

} // namespace kpg::pg
