#pragma once
// Reads what `kubectl pg status` shows about one cluster (the StatusInputs of
// cluster_status.hpp) from the API server. Requests, in this order:
//   LIST statefulsets, deployments, pods, services, endpointslices (discovery.k8s.io/v1)
//        with render::cluster_selector(name) (render/labels.hpp)
//   LIST persistentvolumeclaims and configmaps with render::database_selector(name) (the
//        claims of volumeClaimTemplates and Patroni's ConfigMaps carry no
//        managed-by label); the ConfigMaps and the pods' annotations are
//        Patroni's DCS, the cluster view (patroni_dcs.hpp: why not GET /cluster)
//   GET /patroni through the pod proxy (port 8008) on every member that has a
//        pod IP, in ordinal order
// and SQL through the SqlRunner, each run on its own thread (core/task_group.hpp)
// at the same time as the GET /patroni requests, started after the LISTs:
// pg_stat_replication on the leader (the leader lock's holder, else the pod
// labelled leader), SHOW pool_nodes on each pgpool pod that has a pod IP;
// skipped, with one notice, when the runner is unavailable. The API requests
// stay on the calling thread, in the order above; the SqlRunner must allow
// concurrent run() calls. The wall time is the LISTs plus the slowest of the
// rest, not their sum. -v 6 logs each SQL run with its duration after the
// requests. Ten API requests for a 3-member cluster: within client-go's burst
// of 10. Patroni's and SQL's failures are recorded in the inputs (the model
// turns them into problems); only a failed LIST is an error.

#include "kube/resource.hpp"
#include "kube/rest_client.hpp"
#include "pg/cluster_status.hpp"
#include "pg/sql_runner.hpp"

#include <chrono>
#include <string>

namespace kpg::pg {

struct StatusFetchOptions
{
  // Limit of each Patroni call (or --request-timeout when shorter): a frozen
  // pod accepts the proxied connection and never answers.
  std::chrono::milliseconds patroni_timeout{ 2000 };
};

// A LIST that failed: what was being read ("listing pods of cluster db/orders")
// and the API's answer.
struct FetchError
{
  std::string attempting;
  kube::KubeError error;
};

// The items of one LIST (all pages) of `type` in `namespace_name` with the
// label `selector`; the error says it was listing for cluster
// <namespace_name>/<cluster>.
Expected<std::vector<nlohmann::json>, FetchError> list_cluster_objects(
  kube::RestClient& client, const kube::ResourceType& type, const std::string& namespace_name,
  const std::string& cluster, const std::string& selector);

Expected<StatusInputs, FetchError> fetch_status_inputs(kube::RestClient& client,
                                                       const std::string& namespace_name,
                                                       const std::string& name, SqlRunner& sql,
                                                       const StatusFetchOptions& options);

// Whether the inputs hold any of the cluster's workloads or pods (PVCs alone
// are what a delete without --delete-data leaves: not a cluster).
bool cluster_exists(const StatusInputs& inputs);

} // namespace kpg::pg
