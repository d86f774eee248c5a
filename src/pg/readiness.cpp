#include "pg/readiness.hpp"

#include "pg/kube_objects.hpp"
#include "render/labels.hpp"

#include <fmt/format.h>

namespace kpg::pg {

bool Readiness::pods_ready() const
{
  return members_ready >= members_desired && leaders.size() == 1 && pgpool_ready >= pgpool_desired;
}

bool Readiness::complete() const
{
  return pods_ready() && replicas_streaming.has_value() &&
         *replicas_streaming >= members_desired - 1;
}

std::string Readiness::leader() const
{
  return leaders.size() == 1 ? leaders.front() : std::string();
}

std::string Readiness::text() const
{
  std::string leader_text;
  if (leaders.empty()) {
    leader_text = "no leader yet";
  } else if (leaders.size() == 1) {
    leader_text = "leader " + leaders.front();
  } else {
    leader_text = fmt::format("{} leaders ({})", leaders.size(), fmt::join(leaders, ", "));
  }
  const std::string streaming_count =
    replicas_streaming ? std::to_string(*replicas_streaming) : std::string("?");
  return fmt::format("members ready {}/{}, {}, replicas streaming {}/{}, pgpool ready {}/{}",
                     members_ready, members_desired, leader_text, streaming_count,
                     members_desired - 1, pgpool_ready, pgpool_desired);
}

Readiness assess_pods(const ReadinessGoal& goal, const std::vector<nlohmann::json>& pods)
{
  Readiness out;
  out.members_desired = goal.members;
  out.pgpool_desired = goal.pgpool_replicas;
  for (const auto& pod : pods) {
    const auto facts = read_pod(pod);
    if (facts.terminating) {
      continue;
    }
    const auto component = label(pod, render::k_label_component);
    if (component == render::k_component_database) {
      out.members_ready += facts.ready ? 1 : 0;
      if (render::is_leader_role_value(label(pod, render::k_label_role))) {
        out.leaders.push_back(facts.name);
      }
    } else if (component == render::k_component_pooler) {
      out.pgpool_ready += facts.ready ? 1 : 0;
    }
  }
  return out;
}

std::string cluster_pod_selector(const std::string& name)
{
  return fmt::format("{}={}", render::k_label_instance, name);
}

} // namespace kpg::pg
