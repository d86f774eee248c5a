// StatusReport::to_json: the -o json|yaml schema documented in status_report.hpp.

#include "pg/status_report.hpp"

namespace kpg::pg {

namespace {

using ojson = nlohmann::ordered_json;

template<typename T>
ojson or_null(const std::optional<T>& value)
{
  return value ? ojson(*value) : ojson(nullptr);
}

ojson or_null(const std::string& text)
{
  return text.empty() ? ojson(nullptr) : ojson(text);
}

ojson lsn_or_null(const std::optional<Lsn>& lsn)
{
  return lsn ? ojson(lsn->str()) : ojson(nullptr);
}

ojson member_json(const MemberStatus& m)
{
  return { { "pod", m.pod },
           { "node", or_null(m.node) },
           { "podIP", or_null(m.pod_ip) },
           { "role", to_string(m.role) },
           { "state", or_null(m.state) },
           { "timeline", or_null(m.timeline) },
           { "lsn", lsn_or_null(m.lsn) },
           { "lagBytes", or_null(m.lag_bytes) },
           { "lagSeconds", or_null(m.lag_seconds) },
           { "streaming", or_null(m.streaming) },
           { "syncState", or_null(m.sync_state) },
           { "postgresVersion", or_null(m.postgres_version) },
           { "patroniVersion", or_null(m.patroni_version) },
           { "pendingRestart", m.pending_restart },
           { "ready", m.ready },
           { "notReadyReason", or_null(m.not_ready_reason) },
           { "restarts", m.restarts },
           { "patroniError", or_null(m.patroni_error) } };
}

ojson backend_json(const PoolNode& b)
{
  return { { "nodeId", b.node_id },
           { "hostname", b.hostname },
           { "port", b.port },
           { "status", b.status },
           { "pgStatus", or_null(b.pg_status) },
           { "lbWeight", b.lb_weight },
           { "role", b.role },
           { "pgRole", or_null(b.pg_role) },
           { "selectCount", b.select_count },
           { "loadBalanceNode", b.load_balance_node },
           { "replicationDelay", or_null(b.replication_delay) },
           { "replicationState", or_null(b.replication_state) },
           { "replicationSyncState", or_null(b.replication_sync_state) },
           { "lastStatusChange", or_null(b.last_status_change) } };
}

ojson pgpool_json(const PgpoolStatus& p)
{
  ojson backends = ojson::array();
  for (const auto& backend : p.backends) {
    backends.push_back(backend_json(backend));
  }
  return { { "pod", p.pod },
           { "node", or_null(p.node) },
           { "ready", p.ready },
           { "notReadyReason", or_null(p.not_ready_reason) },
           { "error", or_null(p.error) },
           { "backends", std::move(backends) } };
}

ojson service_json(const ServiceStatus& s)
{
  return { { "name", s.name },
           { "type", s.type },
           { "clusterIP", or_null(s.cluster_ip) },
           { "ports", s.ports },
           { "readyEndpoints", s.ready_endpoints },
           { "notReadyEndpoints", s.not_ready_endpoints } };
}

ojson volume_json(const VolumeStatus& v)
{
  return { { "name", v.name },
           { "pod", or_null(v.pod) },
           { "phase", v.phase },
           { "capacity", or_null(v.capacity) },
           { "requested", or_null(v.requested) },
           { "storageClass", or_null(v.storage_class) } };
}

ojson failover_json(const std::optional<TimelineSwitch>& failover)
{
  if (!failover) {
    return nullptr;
  }
  return { { "time", failover->time ? ojson(format_rfc3339_utc(*failover->time)) : ojson(nullptr) },
           { "timeline", failover->timeline + 1 },
           { "lsn", failover->lsn.str() },
           { "reason", failover->reason },
           { "newLeader", or_null(failover->new_leader) } };
}

template<typename T, typename F>
ojson array_of(const std::vector<T>& items, F&& convert)
{
  ojson result = ojson::array();
  for (const auto& item : items) {
    result.push_back(convert(item));
  }
  return result;
}

} // namespace

nlohmann::ordered_json StatusReport::to_json() const
{
  const ClusterStatus& s = m_status;
  const MemberStatus* leader = s.leader();
  return {
    { "kind", "ClusterStatus" },
    { "schemaVersion", 1 },
    { "namespace", s.namespace_name },
    { "name", s.name },
    { "engine", s.engine },
    { "health", to_string(s.health()) },
    { "leader", leader != nullptr ? ojson(leader->pod) : ojson(nullptr) },
    { "timeline", leader != nullptr ? or_null(leader->timeline) : ojson(nullptr) },
    { "paused", s.paused },
    { "membersDesired", s.members_desired },
    { "membersReady", s.members_ready() },
    { "pgpoolDesired", s.pgpool_desired },
    { "pgpoolReady", s.pgpool_ready() },
    { "lastFailover", failover_json(s.last_failover) },
    { "members", array_of(s.members, member_json) },
    { "pgpool", array_of(s.pgpool, pgpool_json) },
    { "services", array_of(s.services, service_json) },
    { "volumes", array_of(s.volumes, volume_json) },
    { "problems", array_of(s.problems,
                           [](const Problem& p) {
                             return ojson{ { "severity", to_string(p.severity) },
                                           { "reason", p.reason },
                                           { "message", p.message } };
                           }) },
  };
}

std::vector<std::string> StatusReport::names() const
{
  return { "cluster/" + m_status.name };
}

} // namespace kpg::pg
