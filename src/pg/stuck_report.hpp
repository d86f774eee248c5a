#pragma once
// What `create --wait` prints when the timeout runs out: not a bare "timed
// out" but which pod is stuck and why, as a person would find out with
// kubectl describe/logs: the pod's phase and conditions, each container's
// state and reason (waiting CrashLoopBackOff, terminated Error exit code 1,
// running but not ready), restarts, the Events about it and the last log
// lines; members the StatefulSet has not created yet; replicas that are not
// streaming, with what Patroni says about them. Pure: cluster_wait.cpp fetches.

#include "pg/readiness.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kpg::pg {

struct PodEvidence
{
  nlohmann::json pod;                 // the Pod as the API server returned it
  std::vector<nlohmann::json> events; // core/v1 Events about it, oldest first
  std::string container;              // whose log follows
  std::string log_tail;               // its last lines, "" if it wrote none
  std::string log_error;              // why the log could not be read ("" if read)
};

struct StuckReport
{
  Readiness readiness;
  std::vector<std::string> missing_members; // member pods the StatefulSet has not made
  std::vector<PodEvidence> pods;            // not-ready pods, members first
  std::vector<std::string> replica_notes;   // "orders-2: not streaming (Patroni: ...)"
};

// One paragraph per finding, lines indented by two spaces, ending in "\n".
std::string format_stuck_report(const StuckReport& report);

// "Running, not Ready: container postgres running (ready: false), restarts 2,
// last exit Error (exit code 1)": a pod's state in one line.
std::string describe_pod_state(const nlohmann::json& pod);

} // namespace kpg::pg
