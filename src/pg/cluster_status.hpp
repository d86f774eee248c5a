#pragma once
// The model `kubectl pg status` prints (as a report, or -o json|yaml with the
// schema in status_report.hpp), built first and printed after, as
// CloudNativePG's plugin does. build_cluster_status() is pure: cmd/status.cpp
// fetches the inputs (one LIST per kind, Patroni's REST API through the pod
// proxy, SQL over exec), hands over what it got or why it could not, and the
// model records unreadable parts as problems instead of failing.

#include "core/expected.hpp"
#include "render/labels.hpp"
#include "pg/patroni.hpp"
#include "pg/patroni_dcs.hpp"
#include "pg/pgpool.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kpg::pg {

// A response body, or why it could not be fetched ("connection refused", ...).
using Fetched = Expected<std::string, std::string>;

// Everything status reads about one cluster.
struct StatusInputs
{
  std::string namespace_name;
  std::string name;
  std::string engine = std::string(render::k_engine_patroni);
  nlohmann::json statefulset;       // the members' StatefulSet (null if missing)
  nlohmann::json pgpool_deployment; // the pgpool Deployment (null if missing)
  // The cluster's objects (label app.kubernetes.io/instance=<name>); pods are
  // told apart by app.kubernetes.io/component (render/labels.hpp).
  std::vector<nlohmann::json> pods;
  std::vector<nlohmann::json> volume_claims;
  std::vector<nlohmann::json> services;
  std::vector<nlohmann::json> endpoint_slices; // discovery.k8s.io/v1, the Services'
  // Patroni's DCS: its ConfigMaps <name>-leader, -sync, -config (patroni_dcs.hpp),
  // with the member pods' status annotations the cluster view, roles included.
  std::vector<nlohmann::json> config_maps;
  std::map<std::string, Fetched> patroni_nodes; // member pod -> its GET /patroni
  std::optional<Fetched> stat_replication;      // k_stat_replication_query on the leader
  std::map<std::string, Fetched> pool_nodes;    // pgpool pod -> k_pool_nodes_query output
  // Why no SQL was run in the pods at all ("" when it was): one notice,
  // SqlUnavailable, instead of a problem per pod (sql_runner.hpp).
  std::string sql_unavailable;
};

struct HealthThresholds
{
  // A replica further behind than this is reported as lagging. Patroni's own
  // default maximum_lag_on_failover (1 MiB): beyond it a replica is not a
  // failover candidate.
  std::uint64_t max_lag_bytes = 1048576;
};

struct MemberStatus
{
  std::string pod;
  std::string node;
  std::string pod_ip;
  MemberRole role = MemberRole::unknown;
  std::string state; // Patroni's: running, streaming, starting, stopped, ...
  std::optional<std::int64_t> timeline;
  std::optional<std::uint64_t> lag_bytes; // replicas: WAL bytes not yet replayed
  std::optional<double> lag_seconds;      // replicas: pg_stat_replication.replay_lag
  std::optional<Lsn> lsn;        // leader: current WAL position; replicas: replayed position
  std::optional<bool> streaming; // replicas: connected to the leader and streaming
  // What `streaming` was decided from, for messages: "pg_stat_replication on
  // the leader: catchup", "not in pg_stat_replication on the leader", "the
  // leader's walsenders (Patroni): catchup", "its replication_state: stopped",
  // "Patroni state: running".
  std::string streaming_evidence;
  std::string sync_state;        // replicas: async, sync, quorum, potential ("" unknown)
  // PostgreSQL runs as a primary (GET /patroni's role; the pod's role label
  // when Patroni did not answer). Two such members are a split brain.
  bool primary = false;
  std::string postgres_version; // "15.4"
  std::string patroni_version;  // "4.0.4"
  bool pending_restart = false;
  bool ready = false; // the pod's Ready condition
  std::string not_ready_reason;
  std::int64_t restarts = 0;
  std::string patroni_error; // why GET /patroni could not be read ("" when read)
};

struct PgpoolStatus
{
  std::string pod;
  std::string node;
  bool ready = false;
  std::string not_ready_reason;
  std::vector<PoolNode> backends; // SHOW pool_nodes
  std::string error;              // why the backends could not be read ("" when read)
};

struct ServiceStatus
{
  std::string name;
  std::string type;
  std::string cluster_ip;
  std::vector<std::string> ports;           // "5432/TCP"
  std::vector<std::string> ready_endpoints; // "10.244.0.11:5432"
  std::vector<std::string> not_ready_endpoints;
};

struct VolumeStatus
{
  std::string name;
  std::string pod; // the member using it ("" if none matches)
  std::string phase;
  std::string capacity; // Kubernetes quantity, e.g. "10Gi"
  std::string requested;
  std::string storage_class;
};

enum class Health
{
  healthy,
  degraded
};
std::string_view to_string(Health health); // "healthy", "degraded"

enum class Severity
{
  warning, // makes the cluster degraded
  notice,  // worth knowing, not a fault (pending restart, maintenance mode)
};
std::string_view to_string(Severity severity); // "warning", "notice"

struct Problem
{
  Severity severity = Severity::warning;
  std::string reason;  // UpperCamelCase, stable for scripts: "NoLeader", "ReplicaLagging", ...
  std::string message; // one sentence naming the object and the fact
};

struct ClusterStatus
{
  std::string namespace_name;
  std::string name;
  std::string engine;
  std::int64_t members_desired = 0;
  std::int64_t pgpool_desired = 0;
  bool paused = false;               // Patroni maintenance mode
  std::vector<MemberStatus> members; // in StatefulSet ordinal order
  std::vector<PgpoolStatus> pgpool;
  std::vector<ServiceStatus> services;
  std::vector<VolumeStatus> volumes;
  std::optional<TimelineSwitch> last_failover; // the last timeline switch Patroni recorded
  std::vector<Problem> problems;

  Health health() const;              // degraded when any problem is a warning
  const MemberStatus* leader() const; // the first member with a leader role
  std::int64_t members_ready() const;
  std::int64_t pgpool_ready() const;
};

ClusterStatus build_cluster_status(const StatusInputs& inputs, const HealthThresholds& thresholds);

} // namespace kpg::pg
