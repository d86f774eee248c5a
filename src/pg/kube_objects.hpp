#pragma once
// The facts status and list need from Kubernetes objects (JSON as the API
// server returns them: Pod, PersistentVolumeClaim, Service, Endpoints,
// StatefulSet, Deployment; https://kubernetes.io/docs/reference/kubernetes-api/).
// Missing fields read as empty or zero: the API server omits empty ones.

#include "core/time_format.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::pg {

struct PodFacts
{
  std::string name;
  std::string namespace_name;
  std::string node;          // spec.nodeName ("" until scheduled)
  std::string ip;            // status.podIP
  std::string phase;         // Pending, Running, Succeeded, Failed, Unknown
  bool ready = false;        // condition Ready is True
  bool terminating = false;  // metadata.deletionTimestamp is set
  std::int64_t restarts = 0; // sum of the containers' restartCount
  // Why it is not ready, as kubectl's STATUS column says it: a container's
  // waiting or terminated reason ("CrashLoopBackOff", "ImagePullBackOff"), the
  // unschedulable reason, "Terminating", else the phase. "" when ready.
  std::string reason;
  std::optional<WallTime> created;
};
PodFacts read_pod(const nlohmann::json& pod);

struct VolumeClaimFacts
{
  std::string name;
  std::string phase;         // Pending, Bound, Lost
  std::string capacity;      // status.capacity.storage, e.g. "10Gi" ("" until bound)
  std::string requested;     // spec.resources.requests.storage
  std::string storage_class; // spec.storageClassName
};
VolumeClaimFacts read_volume_claim(const nlohmann::json& pvc);

struct ServiceFacts
{
  std::string name;
  std::string type;               // ClusterIP, NodePort, LoadBalancer, ExternalName
  std::string cluster_ip;         // "None" for a headless Service
  std::vector<std::string> ports; // kubectl's PORT(S): "5432/TCP", "5432:30432/TCP"
  bool headless() const
  {
    return cluster_ip == "None";
  }
};
ServiceFacts read_service(const nlohmann::json& service);

// One discovery.k8s.io/v1 EndpointSlice (v1 Endpoints are deprecated from
// Kubernetes 1.33). A Service may have several slices; the controller labels
// each with kubernetes.io/service-name and copies the Service's labels.
// An endpoint is ready when conditions.ready is true or absent ("nil should
// be interpreted as true", discovery/v1 EndpointConditions).
struct EndpointSliceFacts
{
  std::string service;                // label kubernetes.io/service-name
  std::vector<std::string> ready;     // "10.244.0.11:5432", one per address and port
  std::vector<std::string> not_ready; // the endpoints not ready, same form
};
EndpointSliceFacts read_endpoint_slice(const nlohmann::json& slice);

// A StatefulSet's or Deployment's replica counts.
struct WorkloadFacts
{
  std::string name;
  std::string namespace_name;
  std::int64_t desired = 0; // spec.replicas (1 when omitted, as the API defaults it)
  std::int64_t ready = 0;   // status.readyReplicas
  std::string image;        // the first container's image
  std::optional<WallTime> created;
};
WorkloadFacts read_workload(const nlohmann::json& workload);

// metadata.labels[key], or "".
std::string label(const nlohmann::json& object, std::string_view key);

// Orders names as StatefulSet ordinals: "orders-2" before "orders-10".
bool ordinal_less(std::string_view a, std::string_view b);

} // namespace kpg::pg
