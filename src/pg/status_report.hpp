#pragma once
// How `kubectl pg status` prints a ClusterStatus (cluster_status.hpp).
//
// Text (-o table; -o wide adds columns): sections "Cluster" (summary),
// "Members", "pgpool", "Services", "Storage", then "Problems" (warnings first,
// each with its reason), the last omitted when there is none.
//
// -o json / -o yaml: one document, every key always present (null when not
// known), so scripts need no existence checks. Schema (version 1):
//   kind            "ClusterStatus"
//   schemaVersion   1 (incremented only when a field changes meaning or goes away)
//   namespace, name, engine ("patroni" | "repmgr")
//   health          "healthy" | "degraded"  (exit code 0 | 3)
//   leader          pod name of the leader, or null
//   timeline        the leader's timeline (integer), or null
//   paused          Patroni maintenance mode (bool)
//   membersDesired, membersReady, pgpoolDesired, pgpoolReady   integers
//   lastFailover    null, or {time: RFC 3339 UTC | null, timeline: the new
//                   timeline, lsn: LSN string where the old one ended, reason,
//                   newLeader: pod | null}  (a failover or a switchover)
//   members[]       {pod, node, podIP, role: leader | standby_leader |
//                   sync_standby | quorum_standby | replica | unknown, state
//                   (Patroni's), timeline, lsn (LSN string: the leader's current
//                   WAL position, a replica's replayed one), lagBytes (bytes of
//                   WAL not yet replayed; null for the leader or when unknown),
//                   lagSeconds (pg_stat_replication.replay_lag in seconds, a
//                   number; null when unknown), streaming (bool | null),
//                   syncState (async | sync | quorum | potential | null),
//                   postgresVersion ("15.4" | null), patroniVersion, pendingRestart,
//                   ready, notReadyReason (string | null), restarts,
//                   patroniError (string | null)}
//   pgpool[]        {pod, node, ready, notReadyReason, error (string | null),
//                   backends[]: {nodeId, hostname, port, status, pgStatus, lbWeight
//                   (0..1), role, pgRole, selectCount, loadBalanceNode,
//                   replicationDelay (as pgpool prints it: bytes, or seconds with
//                   delay_threshold_by_time), replicationState,
//                   replicationSyncState, lastStatusChange}}
//   services[]      {name, type, clusterIP, ports ["5432/TCP"], readyEndpoints
//                   ["ip:port"], notReadyEndpoints ["ip:port"]}
//   volumes[]       {name, pod (string | null), phase, capacity (quantity, "10Gi"
//                   | null until bound), requested, storageClass (string | null)}
//   problems[]      {severity: warning | notice, reason (UpperCamelCase, see
//                   health.hpp), message}
//
// -o name: "cluster/<name>".

#include "core/time_format.hpp"
#include "pg/cluster_status.hpp"
#include "ui/printer.hpp"

namespace kpg::pg {

class StatusReport : public ui::Printable
{
public:
  // `now` dates "4m ago" in the text; JSON carries absolute times only.
  StatusReport(const ClusterStatus& status, WallTime now)
    : m_status(status)
    , m_now(now)
  {
  }

  nlohmann::ordered_json to_json() const override;
  void print_text(std::ostream& out, ui::Table::Width width,
                  const ui::Palette& palette) const override;
  std::vector<std::string> names() const override;

private:
  const ClusterStatus& m_status;
  WallTime m_now;
};

} // namespace kpg::pg
