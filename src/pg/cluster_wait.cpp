#include "pg/cluster_wait.hpp"

#include "kube/pod_log.hpp"
#include "kube/pod_proxy.hpp"
#include "kube/resource_client.hpp"
#include "kube/wait.hpp"
#include "pg/kube_objects.hpp"
#include "pg/patroni.hpp"
#include "render/labels.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace kpg::pg {

namespace {

using json = nlohmann::json;
constexpr auto k_poll_interval = std::chrono::seconds(1);
constexpr std::size_t k_max_pods_in_report = 3;
constexpr int k_log_lines = 12;

kube::ResourceClient pods_client(kube::RestClient& client, const ReadinessGoal& goal)
{
  return kube::ResourceClient(client, *kube::resource_for_kind("v1", "Pod"), goal.namespace_name);
}

kube::ListOptions cluster_pods(const ReadinessGoal& goal)
{
  kube::ListOptions options;
  options.label_selector = cluster_pod_selector(goal.name);
  return options;
}

// GET /patroni of `pod` through the pod proxy.
Expected<PatroniNodeStatus, std::string> patroni_status(kube::RestClient& client,
                                                        const std::string& ns,
                                                        const std::string& pod)
{
  kube::PodProxyRequest request;
  request.namespace_name = ns;
  request.pod = pod;
  request.port = render::k_patroni_port;
  request.path = "/patroni";
  auto response = kube::pod_proxy(client, request);
  if (!response) {
    return unexpected(response.error().text());
  }
  if (kube::is_api_status(*response)) {
    return unexpected(
      fmt::format("the API server answered {} for the pod proxy", response->status));
  }
  return parse_patroni_node_status(response->body);
}

std::vector<std::string> streaming_standbys(const PatroniNodeStatus& leader)
{
  std::vector<std::string> out;
  for (const auto& sender : leader.replication) {
    if (sender.state == "streaming") {
      out.push_back(sender.application_name);
    }
  }
  return out;
}

} // namespace

kube::Result<ClusterWaitResult> wait_for_cluster(
  kube::RestClient& client, const ReadinessGoal& goal, Clock::TimePoint deadline,
  const std::function<void(const Readiness&)>& on_progress)
{
  Clock& clock = client.clock();
  const auto pods = pods_client(client, goal);
  ClusterWaitResult result;

  // 1. Pods: watch until members and pgpool are Ready with one leader.
  kube::WaitOptions options;
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now());
  options.on_progress = [&](const std::vector<json>& items) {
    on_progress(assess_pods(goal, items));
  };
  auto waited = kube::wait_for_list(
    pods, cluster_pods(goal),
    [&](const std::vector<json>& items) { return assess_pods(goal, items).pods_ready(); }, options);
  if (!waited) {
    return unexpected(std::move(waited).error());
  }
  result.pods = waited->items;
  result.readiness = assess_pods(goal, result.pods);
  if (waited->outcome == kube::WaitOutcome::timed_out) {
    return result;
  }

  // 2. Replication: poll the leader's Patroni until every replica streams.
  while (true) {
    if (result.readiness.pods_ready()) {
      auto leader = patroni_status(client, goal.namespace_name, result.readiness.leader());
      if (leader) {
        result.readiness.streaming = streaming_standbys(*leader);
        result.readiness.replicas_streaming = static_cast<int>(result.readiness.streaming.size());
      }
    }
    on_progress(result.readiness);
    if (result.readiness.complete()) {
      result.ready = true;
      return result;
    }
    if (clock.now() + k_poll_interval >= deadline) {
      return result;
    }
    clock.sleep_for(k_poll_interval);
    auto listed = pods.list(cluster_pods(goal));
    if (!listed) {
      return unexpected(std::move(listed).error());
    }
    result.pods = (*listed)["items"].get<std::vector<json>>();
    auto streaming = std::move(result.readiness.streaming);
    auto count = result.readiness.replicas_streaming;
    result.readiness = assess_pods(goal, result.pods);
    result.readiness.streaming = std::move(streaming);
    result.readiness.replicas_streaming = count;
  }
}

StuckReport gather_stuck_report(kube::RestClient& client, const ReadinessGoal& goal,
                                const ClusterWaitResult& last)
{
  StuckReport report;
  report.readiness = last.readiness;
  std::set<std::string> member_names;
  std::vector<const json*> not_ready;
  for (const auto& pod : last.pods) {
    const auto facts = read_pod(pod);
    if (label(pod, render::k_label_component) == render::k_component_database) {
      member_names.insert(facts.name);
    }
    if (!facts.ready && !facts.terminating) {
      not_ready.push_back(&pod);
    }
  }
  // Members first (the pgpool pods usually wait for them), then by name.
  std::stable_sort(not_ready.begin(), not_ready.end(), [](const json* a, const json* b) {
    return (label(*a, render::k_label_component) == render::k_component_database) >
           (label(*b, render::k_label_component) == render::k_component_database);
  });
  for (int ordinal = 0; ordinal < goal.members; ++ordinal) {
    const auto name = fmt::format("{}-{}", goal.name, ordinal);
    if (member_names.count(name) == 0) {
      report.missing_members.push_back(name);
    }
  }
  const kube::ResourceClient events(client, *kube::resource_for_kind("v1", "Event"),
                                    goal.namespace_name);
  for (const json* pod : not_ready) {
    if (report.pods.size() == k_max_pods_in_report) {
      break;
    }
    PodEvidence evidence;
    evidence.pod = *pod;
    const auto name = kube::object_name(*pod);
    kube::ListOptions about;
    about.field_selector = fmt::format("involvedObject.name={}", name);
    if (auto listed = events.list(about)) {
      for (const auto& event : (*listed)["items"]) {
        evidence.events.push_back(event);
      }
    }
    const auto& containers = (*pod)["spec"]["containers"];
    evidence.container = containers.empty() ? "" : containers[0].value("name", "");
    auto log = kube::pod_log(client, kube::PodLogRequest{ goal.namespace_name, name,
                                                          evidence.container, k_log_lines, false });
    if (log) {
      evidence.log_tail = std::move(*log);
    } else {
      evidence.log_error = log.error().text();
    }
    report.pods.push_back(std::move(evidence));
  }
  if (last.readiness.pods_ready()) {
    const std::set<std::string> streaming(last.readiness.streaming.begin(),
                                          last.readiness.streaming.end());
    for (const auto& member : member_names) {
      if (member == last.readiness.leader() || streaming.count(member) != 0) {
        continue;
      }
      auto status = patroni_status(client, goal.namespace_name, member);
      report.replica_notes.push_back(
        status
          ? fmt::format("replica {} is not streaming from the leader: Patroni state {}, "
                        "role {}{}",
                        member, status->state, to_string(status->role),
                        status->replication_state ? ", replication " + *status->replication_state
                                                  : std::string())
          : fmt::format("replica {} is not streaming from the leader; its Patroni API "
                        "did not answer: {}",
                        member, status.error()));
    }
  }
  return report;
}

} // namespace kpg::pg
