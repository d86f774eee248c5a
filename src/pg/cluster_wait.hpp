#pragma once
// `create --wait`: waits until a cluster is ready (readiness.hpp) or a
// deadline passes, reporting progress, and on timeout gathers the evidence of
// what is stuck (stuck_report.hpp).
//
// How, without sleeps where an event fits:
//   1. pods: list-then-watch (kube::wait_for_list) of the cluster's pods
//      until every member and pgpool pod is Ready and one member carries the
//      leader label; each change is reported;
//   2. replication: GET /patroni on the leader through the API server's pod
//      proxy (port 8008, no credentials: a safe endpoint) until its
//      "replication" list (pg_stat_replication) shows every replica
//      streaming; this is state inside PostgreSQL, not a Kubernetes event, so
//      it is polled once a second (with the pods re-listed) until the deadline.
// Requests: one LIST + one WATCH in phase 1; a LIST and a proxy GET per second
// in phase 2 (typically 0-2 rounds).

#include "core/clock.hpp"
#include "kube/rest_client.hpp"
#include "pg/readiness.hpp"
#include "pg/stuck_report.hpp"

#include <functional>

namespace kpg::pg {

struct ClusterWaitResult
{
  bool ready = false;
  Readiness readiness;              // the last state seen
  std::vector<nlohmann::json> pods; // the cluster's pods when the wait ended
};

// Errors: API answers that make waiting pointless (403 on the watch, 404 of
// the namespace) and transport failures past the deadline.
kube::Result<ClusterWaitResult> wait_for_cluster(
  kube::RestClient& client, const ReadinessGoal& goal, Clock::TimePoint deadline,
  const std::function<void(const Readiness&)>& on_progress);

// On timeout: the evidence for format_stuck_report (events, log tails,
// Patroni's view of the replicas). Best effort: what cannot be read is said
// in the report instead.
StuckReport gather_stuck_report(kube::RestClient& client, const ReadinessGoal& goal,
                                const ClusterWaitResult& last);

} // namespace kpg::pg
