#include "render/spec_overrides.hpp"

namespace kpg::render {

namespace {

template<typename T>
void apply(const std::optional<T>& value, T& target, FieldOrigins& origins, const char* path,
           const char* flag)
{
  if (value) {
    target = *value;
    origins[path] = flag;
  }
}

void apply_map(const std::vector<std::pair<std::string, std::string>>& entries,
               std::map<std::string, std::string>& target, FieldOrigins& origins,
               const std::string& path, const char* flag)
{
  for (const auto& [key, value] : entries) {
    target[key] = value;
    origins[path + "." + key] = flag;
  }
}

} // namespace

void apply_overrides(const SpecOverrides& o, ClusterSpec& spec, FieldOrigins& origins)
{
  apply(o.name, spec.name, origins, "metadata.name", "NAME argument");
  apply(o.namespace_name, spec.namespace_name, origins, "metadata.namespace", "--namespace");
  apply(o.engine, spec.engine, origins, "spec.engine", "--engine");
  apply(o.postgres_version, spec.postgres_version, origins, "spec.postgresVersion",
        "--postgres-version");
  apply(o.members, spec.members, origins, "spec.members", "--members");
  apply(o.namespace_policy, spec.namespace_policy, origins, "spec.namespaceExists",
        "--namespace-exists");
  apply(o.storage_size, spec.storage.size, origins, "spec.storage.size", "--storage-size");
  apply(o.storage_class, spec.storage.storage_class, origins, "spec.storage.storageClassName",
        "--storage-class");
  apply(o.cpu_request, spec.resources.requests.cpu, origins, "spec.resources.requests.cpu",
        "--cpu-request");
  apply(o.memory_request, spec.resources.requests.memory, origins,
        "spec.resources.requests.memory", "--memory-request");
  apply(o.cpu_limit, spec.resources.limits.cpu, origins, "spec.resources.limits.cpu",
        "--cpu-limit");
  apply(o.memory_limit, spec.resources.limits.memory, origins, "spec.resources.limits.memory",
        "--memory-limit");
  apply(o.synchronous_mode, spec.postgresql.synchronous_mode, origins,
        "spec.postgresql.synchronousMode", "--synchronous-mode");
  apply(o.pgpool_replicas, spec.pgpool.replicas, origins, "spec.pgpool.replicas",
        "--pgpool-replicas");
  apply(o.num_init_children, spec.pgpool.num_init_children, origins,
        "spec.pgpool.numInitChildren", "--pgpool-num-init-children");
  apply(o.max_pool, spec.pgpool.max_pool, origins, "spec.pgpool.maxPool", "--pgpool-max-pool");
  apply(o.service_type, spec.service_type, origins, "spec.service.type", "--service-type");
  apply(o.anti_affinity, spec.anti_affinity, origins, "spec.antiAffinity", "--anti-affinity");
  apply(o.image_registry, spec.images.registry, origins, "spec.images.registry",
        "--image-registry");
  apply(o.spilo_image, spec.images.spilo, origins, "spec.images.spilo", "--spilo-image");
  apply(o.pgpool_image, spec.images.pgpool, origins, "spec.images.pgpool", "--pgpool-image");
  apply_map(o.labels, spec.labels, origins, "metadata.labels", "--label");
  apply_map(o.annotations, spec.annotations, origins, "metadata.annotations", "--annotation");
  apply_map(o.parameters, spec.postgresql.parameters, origins, "spec.postgresql.parameters",
            "--parameter");
}

} // namespace kpg::render
