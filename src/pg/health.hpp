#pragma once
// The health rules of a cluster, applied to a built ClusterStatus. Each rule
// that fails adds one Problem naming the object; warnings make the cluster
// degraded (exit code 3), notices do not. Rules, in the order reported:
//   MembersMissing, PodNotReady, NoLeader, MultipleLeaders, TimelineDiverged,
//   ReplicaNotStreaming, ReplicaLagging (above HealthThresholds::max_lag_bytes),
//   PgpoolMissing, PgpoolNotReady, PgpoolBackendDown, ServiceWithoutEndpoints
//   (client-facing Services only), VolumePending, VolumeLost; notices:
//   PendingRestart, MaintenanceMode.

#include "pg/cluster_status.hpp"

#include <vector>

namespace kpg::pg {

std::vector<Problem> evaluate_health(const ClusterStatus& status,
                                     const HealthThresholds& thresholds);

} // namespace kpg::pg
