#pragma once
// Patroni's view of a cluster read from its Kubernetes DCS, as patronictl reads
// it, instead of from a member's GET /cluster. Patroni keeps the cluster's state
// in the API server (patroni/dcs/kubernetes.py, ConfigMaps because Spilo's
// KUBERNETES_USE_CONFIGMAPS=true; scope = the cluster name):
//   ConfigMap <scope>-leader  annotations: leader (the lock holder's member
//                             name), optime (its last WAL position, bytes since
//                             0/0), renewTime, ttl (seconds)
//   ConfigMap <scope>-sync    annotations: leader, sync_standby ("a,b")
//   ConfigMap <scope>-config  annotations: config (the dynamic configuration as
//                             JSON: "pause", "standby_cluster"), history (the
//                             timeline history as JSON, GET /history's body)
//   each member pod           annotation status (JSON: state, role, timeline,
//                             xlog_location in bytes, pending_restart); Patroni
//                             counts every pod of the scope as a member
// Roles and lag follow patroni/utils.py cluster_as_json: the lock holder is the
// leader (standby_leader in a standby cluster), the names in sync_standby are
// sync_standby, the rest replica; lag = the leader's optime minus the member's
// xlog_location, none when the member reports no position.
//
// Why not GET /cluster: it makes the answering Patroni reload the cluster in its
// REST API thread, and Patroni 3.0 shares the loader's leader resourceVersion
// and observation time with the HA loop. A GET /cluster queued at a hung
// Patroni runs when it resumes, beside its first HA cycle; seen on kubesim: a
// frozen old primary, resumed after the failover, took the leader lock back
// with the resourceVersion that request had just read, and the new primary was
// rewound (its writes on the new timeline lost). Reading the ConfigMaps asks
// nothing of Patroni, and no member's possibly stale cache is trusted.

#include "core/expected.hpp"
#include "pg/lsn.hpp"
#include "pg/patroni.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::pg {

// One member as the DCS describes it.
struct PatroniMember
{
  std::string name; // Patroni's member name: the pod name
  MemberRole role = MemberRole::unknown;
  std::string state; // "running", "streaming", "starting", "stopped", "crashed", ...
  std::optional<std::int64_t> timeline;
  // Bytes behind the leader's optime; absent for the leader and when the member
  // reports no WAL position.
  std::optional<std::uint64_t> lag_bytes;
  std::optional<Lsn> lsn; // the member's WAL position (xlog_location)
  bool pending_restart = false;
};

struct PatroniCluster
{
  std::vector<PatroniMember> members; // sorted by name, as GET /cluster sorts them
  bool paused = false;                // maintenance mode: no automatic failover
  // The timeline history (annotation history of <scope>-config), GET /history's
  // body; nullopt before the first timeline switch.
  std::optional<std::string> history;

  // The first member with a leader role, or nullptr.
  const PatroniMember* leader() const;
};

// The member holding cluster `scope`'s leader lock (annotation leader of
// ConfigMap <scope>-leader), or "" when there is none.
std::string leader_lock_holder(std::string_view scope,
                               const std::vector<nlohmann::json>& config_maps);

// The view of cluster `scope` from its Patroni ConfigMaps (any others in
// `config_maps` are ignored) and its member pods. nullopt when none of the
// three ConfigMaps exists (Patroni has not started). Errors name the object
// and the field: "ConfigMap orders-config, annotation config: not valid JSON
// at byte 3", "pod orders-1, annotation status: timeline: expected an integer".
Expected<std::optional<PatroniCluster>, std::string> read_patroni_dcs(
  std::string_view scope, const std::vector<nlohmann::json>& config_maps,
  const std::vector<nlohmann::json>& member_pods);

} // namespace kpg::pg
