#include "pg/cluster_status.hpp"

#include "pg/health.hpp"
#include "pg/kube_objects.hpp"
#include "pg/stat_replication.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace kpg::pg {

namespace {

// What the fetched inputs say, parsed; unreadable parts become problems.
struct Views
{
  std::optional<PatroniCluster> cluster;
  std::map<std::string, PatroniNodeStatus> nodes;
  std::map<std::string, std::string> node_errors; // member pod -> why GET /patroni is missing
  std::optional<std::vector<ReplicationPeer>> peers;
  std::vector<Problem> problems;

  // Parses a fetched body; on failure records a problem and returns nullopt.
  template<typename T, typename Parse>
  std::optional<T> read(const std::optional<Fetched>& fetched, Parse&& parse, Severity severity,
                        std::string_view reason, std::string_view what)
  {
    if (!fetched) {
      return std::nullopt;
    }
    if (!*fetched) {
      problems.push_back({ severity, std::string(reason),
                           fmt::format("could not read {}: {}", what, fetched->error()) });
      return std::nullopt;
    }
    auto parsed = parse(**fetched);
    if (!parsed) {
      problems.push_back({ severity, std::string(reason),
                           fmt::format("could not read {}: {}", what, parsed.error()) });
      return std::nullopt;
    }
    return std::move(*parsed);
  }
};

MemberRole role_from(const PatroniNodeStatus& node)
{
  switch (node.role) {
    case PostgresRole::primary:
      return MemberRole::leader;
    case PostgresRole::standby_leader:
      return MemberRole::standby_leader;
    case PostgresRole::replica:
      return node.sync_standby ? MemberRole::sync_standby : MemberRole::replica;
    case PostgresRole::unknown:
      break;
  }
  return MemberRole::unknown;
}

MemberRole role_from_label(std::string_view value)
{
  if (render::is_leader_role_value(value)) {
    return MemberRole::leader;
  }
  return value == render::k_role_value_replica ? MemberRole::replica : MemberRole::unknown;
}

template<typename T>
const T* find_named(const std::vector<T>& items, std::string_view name)
{
  const auto found =
    std::find_if(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
  return found == items.end() ? nullptr : &*found;
}

MemberStatus member_from(const nlohmann::json& pod, const Views& views)
{
  const PodFacts facts = read_pod(pod);
  MemberStatus member;
  member.pod = facts.name;
  member.node = facts.node;
  member.pod_ip = facts.ip;
  member.ready = facts.ready;
  member.not_ready_reason = facts.reason;
  member.restarts = facts.restarts;
  if (const auto error = views.node_errors.find(member.pod); error != views.node_errors.end()) {
    member.patroni_error = error->second;
  }

  const PatroniMember* patroni =
    views.cluster ? find_named(views.cluster->members, member.pod) : nullptr;
  const auto node_found = views.nodes.find(member.pod);
  const PatroniNodeStatus* node = node_found == views.nodes.end() ? nullptr : &node_found->second;
  const std::string role_label = label(pod, render::k_label_role);

  if (patroni != nullptr) {
    member.role = patroni->role;
  } else if (node != nullptr) {
    member.role = role_from(*node);
  } else {
    member.role = role_from_label(role_label);
  }
  member.primary = node != nullptr ? node->role == PostgresRole::primary
                                   : render::is_leader_role_value(role_label);
  if (patroni != nullptr) {
    member.state = patroni->state;
    member.timeline = patroni->timeline;
    member.lag_bytes = patroni->lag_bytes;
    member.lsn = patroni->lsn;
    member.pending_restart = patroni->pending_restart;
  }
  // The member's own answer is current; the DCS's copy is what its Patroni last
  // wrote there, up to loop_wait seconds ago (seen clearing a parameter change,
  // and for a few seconds after a promotion: the lock taken, the timeline not
  // yet switched). The role stays the DCS's: the lock decides who leads.
  if (node != nullptr) {
    if (!node->state.empty()) {
      member.state = node->state;
    }
    if (node->timeline) {
      member.timeline = node->timeline;
    }
    const auto& position = is_leader(member.role) ? node->wal_location : node->replayed_location;
    if (position) {
      member.lsn = position;
    }
    member.postgres_version = node->postgres_version();
    member.patroni_version = node->patroni_version;
    member.pending_restart = node->pending_restart;
  }
  return member;
}

// Streaming state, sync state and lag of a replica, from the most direct view
// available: the leader's pg_stat_replication, then the walsenders in the
// leader's GET /patroni, then the replica's own replication_state or its
// Patroni state ("streaming" in Patroni >= 3.0.3; "running" says nothing).
void add_replication(MemberStatus& member, const MemberStatus& leader, const Views& views)
{
  if (views.peers) {
    const auto peer = std::find_if(views.peers->begin(), views.peers->end(),
                                   [&](const auto& p) { return p.application_name == member.pod; });
    if (peer == views.peers->end()) {
      member.streaming = false;
      member.streaming_evidence = "not in pg_stat_replication on the leader";
      return;
    }
    member.streaming = peer->state == "streaming";
    member.streaming_evidence = "pg_stat_replication on the leader: " + peer->state;
    member.sync_state = peer->sync_state;
    if (auto bytes = peer->replay_lag_bytes()) {
      member.lag_bytes = bytes;
    }
    if (peer->replay_lsn) {
      member.lsn = peer->replay_lsn;
    }
    member.lag_seconds = peer->replay_lag_seconds;
    if (!member.lag_seconds && member.lag_bytes == std::uint64_t{ 0 }) {
      member.lag_seconds = 0.0; // idle and caught up: PostgreSQL clears replay_lag
    }
    return;
  }
  const auto leader_node = views.nodes.find(leader.pod);
  if (leader_node != views.nodes.end() && leader_node->second.role == PostgresRole::primary) {
    const auto& senders = leader_node->second.replication;
    const auto sender = std::find_if(senders.begin(), senders.end(), [&](const WalSender& s) {
      return s.application_name == member.pod;
    });
    member.streaming = sender != senders.end() && sender->state == "streaming";
    member.streaming_evidence = sender == senders.end()
                                  ? "not among the leader's walsenders (Patroni)"
                                  : "the leader's walsenders (Patroni): " + sender->state;
    if (sender != senders.end()) {
      member.sync_state = sender->sync_state;
    }
    return;
  }
  const auto node = views.nodes.find(member.pod);
  if (node != views.nodes.end() && node->second.replication_state) {
    member.streaming = *node->second.replication_state == "streaming";
    member.streaming_evidence = "its replication_state: " + *node->second.replication_state;
  } else if (member.state == "streaming") {
    member.streaming = true;
    member.streaming_evidence = "Patroni state: streaming";
  }
}

PgpoolStatus pgpool_from(const nlohmann::json& pod, const StatusInputs& inputs,
                         std::vector<Problem>& problems)
{
  const PodFacts facts = read_pod(pod);
  PgpoolStatus status{ .pod = facts.name,
                       .node = facts.node,
                       .ready = facts.ready,
                       .not_ready_reason = facts.reason,
                       .backends = {},
                       .error = {} };
  const auto fetched = inputs.pool_nodes.find(status.pod);
  if (fetched == inputs.pool_nodes.end()) {
    return status;
  }
  if (!fetched->second) {
    status.error = fetched->second.error();
  } else if (auto nodes = parse_pool_nodes(*fetched->second)) {
    status.backends = std::move(*nodes);
  } else {
    status.error = nodes.error();
  }
  if (!status.error.empty()) {
    problems.push_back({ Severity::warning, "PgpoolUnreadable",
                         fmt::format("could not read the backends of pgpool pod {}: {}", status.pod,
                                     status.error) });
  }
  return status;
}

ServiceStatus service_from(const nlohmann::json& service,
                           const std::vector<nlohmann::json>& endpoint_slices)
{
  const ServiceFacts facts = read_service(service);
  ServiceStatus status{ .name = facts.name,
                        .type = facts.type,
                        .cluster_ip = facts.cluster_ip,
                        .ports = facts.ports,
                        .ready_endpoints = {},
                        .not_ready_endpoints = {} };
  for (const auto& slice : endpoint_slices) {
    EndpointSliceFacts e = read_endpoint_slice(slice);
    if (e.service == status.name) {
      status.ready_endpoints.insert(status.ready_endpoints.end(), e.ready.begin(), e.ready.end());
      status.not_ready_endpoints.insert(status.not_ready_endpoints.end(), e.not_ready.begin(),
                                        e.not_ready.end());
    }
  }
  // A Service's endpoints may be spread over several slices in any order.
  std::sort(status.ready_endpoints.begin(), status.ready_endpoints.end());
  std::sort(status.not_ready_endpoints.begin(), status.not_ready_endpoints.end());
  return status;
}

VolumeStatus volume_from(const nlohmann::json& pvc, const std::vector<MemberStatus>& members)
{
  const VolumeClaimFacts facts = read_volume_claim(pvc);
  VolumeStatus volume{ .name = facts.name,
                       .pod = {},
                       .phase = facts.phase,
                       .capacity = facts.capacity,
                       .requested = facts.requested,
                       .storage_class = facts.storage_class };
  // A StatefulSet names its claims <volumeClaimTemplate>-<pod>.
  for (const auto& member : members) {
    const std::string suffix = "-" + member.pod;
    if (volume.name.size() > suffix.size() && volume.name.ends_with(suffix)) {
      volume.pod = member.pod;
    }
  }
  return volume;
}

std::vector<nlohmann::json> pods_of(const StatusInputs& inputs, std::string_view component)
{
  std::vector<nlohmann::json> pods;
  std::copy_if(
    inputs.pods.begin(), inputs.pods.end(), std::back_inserter(pods),
    [&](const nlohmann::json& pod) { return label(pod, render::k_label_component) == component; });
  std::sort(pods.begin(), pods.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return ordinal_less(read_pod(a).name, read_pod(b).name);
  });
  return pods;
}

} // namespace

std::string_view to_string(Health health)
{
  return health == Health::healthy ? "healthy" : "degraded";
}

std::string_view to_string(Severity severity)
{
  return severity == Severity::warning ? "warning" : "notice";
}

Health ClusterStatus::health() const
{
  const bool any_warning = std::any_of(problems.begin(), problems.end(), [](const Problem& p) {
    return p.severity == Severity::warning;
  });
  return any_warning ? Health::degraded : Health::healthy;
}

const MemberStatus* ClusterStatus::leader() const
{
  const auto found = std::find_if(members.begin(), members.end(),
                                  [](const MemberStatus& m) { return is_leader(m.role); });
  return found == members.end() ? nullptr : &*found;
}

std::int64_t ClusterStatus::members_ready() const
{
  return std::count_if(members.begin(), members.end(), [](const auto& m) { return m.ready; });
}

std::int64_t ClusterStatus::pgpool_ready() const
{
  return std::count_if(pgpool.begin(), pgpool.end(), [](const auto& p) { return p.ready; });
}

ClusterStatus build_cluster_status(const StatusInputs& inputs, const HealthThresholds& thresholds)
{
  ClusterStatus status;
  status.namespace_name = inputs.namespace_name;
  status.name = inputs.name;
  status.engine = inputs.engine;
  if (!inputs.statefulset.is_null()) {
    status.members_desired = read_workload(inputs.statefulset).desired;
  }
  if (!inputs.pgpool_deployment.is_null()) {
    status.pgpool_desired = read_workload(inputs.pgpool_deployment).desired;
  }

  Views views;
  const auto member_pods = pods_of(inputs, render::k_component_database);
  if (auto dcs = read_patroni_dcs(inputs.name, inputs.config_maps, member_pods)) {
    views.cluster = std::move(*dcs);
  } else {
    views.problems.push_back({ Severity::warning, "PatroniUnreadable",
                               fmt::format("could not read Patroni's cluster view from its "
                                           "ConfigMaps and pod annotations: {}",
                                           dcs.error()) });
  }
  status.paused = views.cluster && views.cluster->paused;
  for (const auto& [pod, fetched] : inputs.patroni_nodes) {
    auto node = views.read<PatroniNodeStatus>(
      std::optional(fetched), parse_patroni_node_status, Severity::warning, "PatroniUnreadable",
      fmt::format("Patroni's status of member {} (GET /patroni)", pod));
    if (node) {
      views.nodes.emplace(pod, std::move(*node));
    } else {
      views.node_errors.emplace(pod, views.problems.back().message);
    }
  }
  if (auto history = views.read<std::vector<TimelineSwitch>>(
        views.cluster && views.cluster->history ? std::optional<Fetched>(*views.cluster->history)
                                                : std::nullopt,
        parse_patroni_history, Severity::notice, "HistoryUnreadable",
        "Patroni's failover history (annotation history of ConfigMap " + inputs.name + "-config)");
      history && !history->empty()) {
    status.last_failover = history->back();
  }
  if (!inputs.sql_unavailable.empty()) {
    views.problems.push_back(
      { Severity::notice, "SqlUnavailable",
        fmt::format("did not run SQL in the pods (pg_stat_replication on the leader, SHOW "
                    "pool_nodes on pgpool), so replication comes from Patroni alone: {}",
                    inputs.sql_unavailable) });
  }
  views.peers = views.read<std::vector<ReplicationPeer>>(
    inputs.stat_replication, parse_stat_replication, Severity::notice, "ReplicationUnreadable",
    "pg_stat_replication on the leader");

  for (const auto& pod : member_pods) {
    status.members.push_back(member_from(pod, views));
  }
  if (const MemberStatus* leader = status.leader()) {
    for (auto& member : status.members) {
      if (&member != leader) {
        add_replication(member, *leader, views);
      }
    }
  }
  for (const auto& pod : pods_of(inputs, render::k_component_pooler)) {
    status.pgpool.push_back(pgpool_from(pod, inputs, views.problems));
  }
  for (const auto& service : inputs.services) {
    status.services.push_back(service_from(service, inputs.endpoint_slices));
  }
  std::sort(status.services.begin(), status.services.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const auto& pvc : inputs.volume_claims) {
    status.volumes.push_back(volume_from(pvc, status.members));
  }
  std::sort(status.volumes.begin(), status.volumes.end(),
            [](const auto& a, const auto& b) { return ordinal_less(a.name, b.name); });

  status.problems = std::move(views.problems);
  auto findings = evaluate_health(status, thresholds);
  status.problems.insert(status.problems.end(), findings.begin(), findings.end());
  std::stable_partition(status.problems.begin(), status.problems.end(),
                        [](const Problem& p) { return p.severity == Severity::warning; });
  return status;
}

} // namespace kpg::pg
