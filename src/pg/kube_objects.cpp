#include "pg/kube_objects.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace kpg::pg {

namespace {

using json = nlohmann::json;

// object[key...] as a string, or "" when a step is missing or not an object.
std::string text(const json& object, std::initializer_list<std::string_view> path)
{
  const json* node = &object;
  for (std::string_view key : path) {
    if (!node->is_object()) {
      return "";
    }
    const auto found = node->find(key);
    if (found == node->end()) {
      return "";
    }
    node = &*found;
  }
  return node->is_string() ? node->get<std::string>() : "";
}

// object[key] as an array (empty when missing).
const json& array(const json& object, std::string_view key)
{
  static const json k_empty = json::array();
  if (!object.is_object()) {
    return k_empty;
  }
  const auto found = object.find(key);
  return found != object.end() && found->is_array() ? *found : k_empty;
}

const json& member(const json& object, std::string_view key)
{
  static const json k_null;
  if (!object.is_object()) {
    return k_null;
  }
  const auto found = object.find(key);
  return found != object.end() ? *found : k_null;
}

std::int64_t integer(const json& object, std::string_view key, std::int64_t fallback)
{
  const json& value = member(object, key);
  return value.is_number_integer() ? value.get<std::int64_t>() : fallback;
}

std::optional<WallTime> creation_time(const json& object)
{
  auto parsed = parse_rfc3339(text(object, { "metadata", "creationTimestamp" }));
  return parsed ? std::optional(*parsed) : std::nullopt;
}

// The reason kubectl shows for a container that is not running.
std::string container_reason(const json& status)
{
  const json& state = member(status, "state");
  std::string reason = text(state, { "waiting", "reason" });
  if (reason.empty()) {
    reason = text(state, { "terminated", "reason" });
  }
  return reason;
}

} // namespace

PodFacts read_pod(const json& pod)
{
  PodFacts facts;
  facts.name = text(pod, { "metadata", "name" });
  facts.namespace_name = text(pod, { "metadata", "namespace" });
  facts.node = text(pod, { "spec", "nodeName" });
  facts.ip = text(pod, { "status", "podIP" });
  facts.phase = text(pod, { "status", "phase" });
  facts.terminating = !text(pod, { "metadata", "deletionTimestamp" }).empty();
  facts.created = creation_time(pod);
  const json& status = member(pod, "status");
  std::string unschedulable;
  for (const auto& condition : array(status, "conditions")) {
    const std::string type = text(condition, { "type" });
    const bool is_true = text(condition, { "status" }) == "True";
    if (type == "Ready") {
      facts.ready = is_true;
    } else if (type == "PodScheduled" && !is_true) {
      unschedulable = text(condition, { "reason" });
    }
  }
  std::string reason;
  for (std::string_view key : { "initContainerStatuses", "containerStatuses" }) {
    for (const auto& container : array(status, key)) {
      facts.restarts += integer(container, "restartCount", 0);
      if (reason.empty()) {
        reason = container_reason(container);
      }
    }
  }
  if (!facts.ready) {
    if (facts.terminating) {
      facts.reason = "Terminating";
    } else if (!reason.empty()) {
      facts.reason = reason;
    } else if (!unschedulable.empty()) {
      facts.reason = unschedulable;
    } else {
      facts.reason = facts.phase.empty() ? "Unknown" : facts.phase;
    }
  }
  return facts;
}

VolumeClaimFacts read_volume_claim(const json& pvc)
{
  return { .name = text(pvc, { "metadata", "name" }),
           .phase = text(pvc, { "status", "phase" }),
           .capacity = text(pvc, { "status", "capacity", "storage" }),
           .requested = text(pvc, { "spec", "resources", "requests", "storage" }),
           .storage_class = text(pvc, { "spec", "storageClassName" }) };
}

ServiceFacts read_service(const json& service)
{
  ServiceFacts facts;
  facts.name = text(service, { "metadata", "name" });
  facts.type = text(service, { "spec", "type" });
  if (facts.type.empty()) {
    facts.type = "ClusterIP";
  }
  facts.cluster_ip = text(service, { "spec", "clusterIP" });
  for (const auto& port : array(member(service, "spec"), "ports")) {
    std::string protocol = text(port, { "protocol" });
    if (protocol.empty()) {
      protocol = "TCP";
    }
    const auto node_port = integer(port, "nodePort", 0);
    facts.ports.push_back(node_port != 0
                            ? fmt::format("{}:{}/{}", integer(port, "port", 0), node_port, protocol)
                            : fmt::format("{}/{}", integer(port, "port", 0), protocol));
  }
  return facts;
}

EndpointSliceFacts read_endpoint_slice(const json& slice)
{
  EndpointSliceFacts facts;
  facts.service = label(slice, "kubernetes.io/service-name");
  for (const auto& endpoint : array(slice, "endpoints")) {
    const json& ready_flag = member(member(endpoint, "conditions"), "ready");
    const bool ready = !ready_flag.is_boolean() || ready_flag.get<bool>();
    auto& into = ready ? facts.ready : facts.not_ready;
    for (const auto& address : array(endpoint, "addresses")) {
      if (!address.is_string()) {
        continue;
      }
      for (const auto& port : array(slice, "ports")) {
        into.push_back(fmt::format("{}:{}", address.get<std::string>(), integer(port, "port", 0)));
      }
    }
  }
  return facts;
}

WorkloadFacts read_workload(const json& workload)
{
  WorkloadFacts facts;
  facts.name = text(workload, { "metadata", "name" });
  facts.namespace_name = text(workload, { "metadata", "namespace" });
  const json& spec = member(workload, "spec");
  facts.desired = integer(spec, "replicas", 1);
  facts.ready = integer(member(workload, "status"), "readyReplicas", 0);
  const json& containers = array(member(member(spec, "template"), "spec"), "containers");
  if (!containers.empty()) {
    facts.image = text(containers.front(), { "image" });
  }
  facts.created = creation_time(workload);
  return facts;
}

std::string label(const json& object, std::string_view key)
{
  return text(member(member(object, "metadata"), "labels"), { key });
}

bool ordinal_less(std::string_view a, std::string_view b)
{
  const auto split = [](std::string_view name) {
    std::size_t digits = name.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(name[digits - 1])) != 0) {
      --digits;
    }
    const std::string_view number = name.substr(digits);
    return std::make_tuple(name.substr(0, digits), number.size(), number);
  };
  return split(a) < split(b);
}

} // namespace kpg::pg
