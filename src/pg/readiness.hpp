#pragma once
// When a freshly created (or re-applied) cluster is ready, as `create --wait`
// decides it: every member pod Ready, exactly one leader (the pod Patroni
// labels spilo-role=master, labels.hpp), every replica streaming from the
// leader (pg_stat_replication on the leader, read through Patroni's GET
// /patroni "replication"), and the pgpool pods Ready. Pure: the pods come from
// a watch, the streaming count from Patroni.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kpg::pg {

struct ReadinessGoal
{
  std::string namespace_name;
  std::string name; // the cluster (app.kubernetes.io/instance)
  int members = 0;
  int pgpool_replicas = 0;
};

struct Readiness
{
  int members_desired = 0;
  int members_ready = 0;
  std::vector<std::string> leaders; // member pods labelled as the leader
  int pgpool_desired = 0;
  int pgpool_ready = 0;
  std::optional<int> replicas_streaming; // unknown until read from the leader
  std::vector<std::string> streaming;    // application_name of each streaming standby

  // Members and pgpool Ready, one leader: the pods are done.
  bool pods_ready() const;
  // pods_ready() and every replica streaming.
  bool complete() const;
  // The leader's pod name when there is exactly one, else "".
  std::string leader() const;
  // "members ready 2/3, leader orders-0, replicas streaming 1/2, pgpool ready 2/2";
  // "no leader yet" / "2 leaders (a, b)"; "replicas streaming ?/2" while unknown.
  std::string text() const;
};

// Readiness of `pods` (the cluster's, any component; terminating pods ignored).
Readiness assess_pods(const ReadinessGoal& goal, const std::vector<nlohmann::json>& pods);

// The label selector of every pod of the cluster: "app.kubernetes.io/instance=<name>".
std::string cluster_pod_selector(const std::string& name);

} // namespace kpg::pg
