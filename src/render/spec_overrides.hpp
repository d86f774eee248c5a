#pragma once
// Command-line values that override a spec file's (flags win over the file,
// the file over the defaults). Each set field also records its flag as the
// field's origin, so validation errors name the flag to fix.

#include "render/cluster_spec.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kpg::render {

struct SpecOverrides
{
  std::optional<std::string> name;           // NAME argument
  std::optional<std::string> namespace_name; // -n/--namespace
  std::optional<Engine> engine;              // --engine
  std::optional<int> postgres_version;       // --postgres-version
  std::optional<int> members;                // --members
  std::optional<NamespacePolicy> namespace_policy; // --namespace-exists
  std::optional<std::string> storage_size;   // --storage-size
  std::optional<std::string> storage_class;  // --storage-class
  std::optional<std::string> cpu_request;    // --cpu-request
  std::optional<std::string> memory_request; // --memory-request
  std::optional<std::string> cpu_limit;      // --cpu-limit
  std::optional<std::string> memory_limit;   // --memory-limit
  std::optional<SynchronousMode> synchronous_mode; // --synchronous-mode
  std::optional<int> pgpool_replicas;        // --pgpool-replicas
  std::optional<int> num_init_children;      // --pgpool-num-init-children
  std::optional<int> max_pool;               // --pgpool-max-pool
  std::optional<ServiceType> service_type;   // --service-type
  std::optional<AntiAffinity> anti_affinity; // --anti-affinity
  std::optional<std::string> image_registry; // --image-registry
  std::optional<std::string> spilo_image;    // --spilo-image
  std::optional<std::string> pgpool_image;   // --pgpool-image
  std::vector<std::pair<std::string, std::string>> labels;      // --label KEY=VALUE
  std::vector<std::pair<std::string, std::string>> annotations; // --annotation KEY=VALUE
  std::vector<std::pair<std::string, std::string>> parameters;  // --parameter NAME=VALUE
};

// Applies every set override to `spec` and records its flag in `origins`.
void apply_overrides(const SpecOverrides& overrides, ClusterSpec& spec, FieldOrigins& origins);

} // namespace kpg::render
