#include "pg/health.hpp"

#include "ui/human.hpp"

#include <fmt/format.h>

namespace kpg::pg {

namespace {

class Findings
{
public:
  void warn(std::string reason, std::string message)
  {
    m_problems.push_back({ Severity::warning, std::move(reason), std::move(message) });
  }
  void notice(std::string reason, std::string message)
  {
    m_problems.push_back({ Severity::notice, std::move(reason), std::move(message) });
  }
  std::vector<Problem> take()
  {
    return std::move(m_problems);
  }

private:
  std::vector<Problem> m_problems;
};

std::string restarts_note(std::int64_t restarts)
{
  return restarts == 0 ? "" : fmt::format(" ({} restart{})", restarts, restarts == 1 ? "" : "s");
}

void check_members(const ClusterStatus& status, Findings& findings)
{
  const auto count = static_cast<std::int64_t>(status.members.size());
  if (count < status.members_desired) {
    findings.warn("MembersMissing",
                  fmt::format("only {} of {} member pods exist", count, status.members_desired));
  }
  for (const auto& member : status.members) {
    if (!member.ready) {
      findings.warn("PodNotReady",
                    fmt::format("member pod {} is not ready: {}{}", member.pod,
                                member.not_ready_reason, restarts_note(member.restarts)));
    }
  }
}

void check_leaders(const ClusterStatus& status, Findings& findings)
{
  std::vector<std::string> claimants;
  for (const auto& member : status.members) {
    if (is_leader(member.role) || member.primary) {
      claimants.push_back(member.pod);
    }
  }
  if (claimants.empty()) {
    findings.warn("NoLeader",
                  "no leader: no member holds Patroni's leader lock, so writes fail until one "
                  "is elected");
  } else if (claimants.size() > 1) {
    findings.warn("MultipleLeaders",
                  fmt::format("{} members act as leader: {} (split brain: writes may land on "
                              "either)",
                              claimants.size(), fmt::join(claimants, ", ")));
  }
}

void check_replication(const ClusterStatus& status, const HealthThresholds& thresholds,
                       Findings& findings)
{
  const MemberStatus* leader = status.leader();
  for (const auto& member : status.members) {
    if (leader == nullptr || &member == leader) {
      continue;
    }
    if (leader->timeline && member.timeline && *member.timeline != *leader->timeline) {
      findings.warn("TimelineDiverged",
                    fmt::format("member {} is on timeline {}, the leader {} on timeline {}",
                                member.pod, *member.timeline, leader->pod, *leader->timeline));
    }
    if (member.streaming == false) {
      findings.warn("ReplicaNotStreaming",
                    fmt::format("replica {} is not streaming from the leader ({})", member.pod,
                                member.streaming_evidence));
    }
    if (member.lag_bytes && *member.lag_bytes > thresholds.max_lag_bytes) {
      findings.warn("ReplicaLagging",
                    fmt::format("replica {} is {} ({} bytes) behind the leader (threshold {})",
                                member.pod, ui::format_bytes(*member.lag_bytes), *member.lag_bytes,
                                ui::format_bytes(thresholds.max_lag_bytes)));
    }
  }
}

void check_pgpool(const ClusterStatus& status, Findings& findings)
{
  const auto count = static_cast<std::int64_t>(status.pgpool.size());
  if (count < status.pgpool_desired) {
    findings.warn("PgpoolMissing",
                  fmt::format("only {} of {} pgpool pods exist", count, status.pgpool_desired));
  }
  for (const auto& pod : status.pgpool) {
    if (!pod.ready) {
      findings.warn("PgpoolNotReady",
                    fmt::format("pgpool pod {} is not ready: {}", pod.pod, pod.not_ready_reason));
    }
    for (const auto& backend : pod.backends) {
      if (!backend.is_up()) {
        findings.warn("PgpoolBackendDown",
                      fmt::format("pgpool pod {} sees backend {} ({}:{}) as {}", pod.pod,
                                  backend.node_id, backend.hostname, backend.port, backend.status));
      }
    }
  }
}

void check_services_and_volumes(const ClusterStatus& status, Findings& findings)
{
  for (const auto& service : status.services) {
    const bool client_facing = service.cluster_ip != "None" && service.type != "ExternalName";
    if (client_facing && service.ready_endpoints.empty()) {
      findings.warn("ServiceWithoutEndpoints",
                    fmt::format("Service {} has no ready endpoints: clients connecting to it fail",
                                service.name));
    }
  }
  for (const auto& volume : status.volumes) {
    if (volume.phase == "Pending") {
      const std::string storage_class =
        volume.storage_class.empty() ? std::string("the default StorageClass")
                                     : fmt::format("StorageClass \"{}\"", volume.storage_class);
      findings.warn("VolumePending",
                    fmt::format("PVC {} is Pending: its member cannot start until a volume is "
                                "bound (check {})",
                                volume.name, storage_class));
    } else if (volume.phase == "Lost") {
      findings.warn("VolumeLost",
                    fmt::format("PVC {} is Lost: its PersistentVolume is gone", volume.name));
    }
  }
}

void check_notices(const ClusterStatus& status, Findings& findings)
{
  for (const auto& member : status.members) {
    if (member.pending_restart) {
      findings.notice("PendingRestart",
                      fmt::format("member {} has a pending restart: changed PostgreSQL "
                                  "parameters apply after it restarts",
                                  member.pod));
    }
  }
  if (status.paused) {
    findings.notice("MaintenanceMode",
                    "Patroni is paused (maintenance mode): it will not fail over");
  }
}

} // namespace

std::vector<Problem> evaluate_health(const ClusterStatus& status,
                                     const HealthThresholds& thresholds)
{
  Findings findings;
  check_members(status, findings);
  check_leaders(status, findings);
  check_replication(status, thresholds, findings);
  check_pgpool(status, findings);
  check_services_and_volumes(status, findings);
  check_notices(status, findings);
  return findings.take();
}

} // namespace kpg::pg
