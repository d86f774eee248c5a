#include "render/spec_document.hpp"

namespace kpg::render {

namespace {

using Json = nlohmann::ordered_json;

// Sets `key` when `value` is set (non-empty).
void set_if(Json& object, const char* key, const std::string& value)
{
  if (!value.empty()) {
    object[key] = value;
  }
}

Json resource_list(const ResourceList& list)
{
  Json out = Json::object();
  set_if(out, "cpu", list.cpu);
  set_if(out, "memory", list.memory);
  return out;
}

} // namespace

Json resources_document(const Resources& resources)
{
  Json out = Json::object();
  if (auto requests = resource_list(resources.requests); !requests.empty()) {
    out["requests"] = std::move(requests);
  }
  if (auto limits = resource_list(resources.limits); !limits.empty()) {
    out["limits"] = std::move(limits);
  }
  return out;
}

Json cluster_spec_document(const ClusterSpec& spec)
{
  Json metadata = { { "name", spec.name }, { "namespace", spec.namespace_name } };
  if (!spec.labels.empty()) {
    metadata["labels"] = Json(spec.labels);
  }
  if (!spec.annotations.empty()) {
    metadata["annotations"] = Json(spec.annotations);
  }
  Json storage = { { "size", spec.storage.size } };
  set_if(storage, "storageClassName", spec.storage.storage_class);
  Json postgresql = Json::object();
  if (!spec.postgresql.parameters.empty()) {
    postgresql["parameters"] = Json(spec.postgresql.parameters);
  }
  postgresql["synchronousMode"] = to_string(spec.postgresql.synchronous_mode);
  Json images = Json::object();
  set_if(images, "registry", spec.images.registry);
  set_if(images, "spilo", spec.images.spilo);
  set_if(images, "pgpool", spec.images.pgpool);

  Json body = {
    { "engine", to_string(spec.engine) },
    { "postgresVersion", spec.postgres_version },
    { "members", spec.members },
    { "namespaceExists", spec.namespace_policy == NamespacePolicy::exists },
    { "storage", storage },
    { "resources", resources_document(spec.resources) },
    { "postgresql", postgresql },
    { "pgpool",
      { { "replicas", spec.pgpool.replicas },
        { "numInitChildren", spec.pgpool.num_init_children },
        { "maxPool", spec.pgpool.max_pool },
        { "resources", resources_document(spec.pgpool.resources) } } },
    { "service", { { "type", to_string(spec.service_type) } } },
    { "antiAffinity", to_string(spec.anti_affinity) },
  };
  if (!images.empty()) {
    body["images"] = std::move(images);
  }
  return Json{ { "apiVersion", k_spec_api_version },
               { "kind", k_spec_kind },
               { "metadata", std::move(metadata) },
               { "spec", std::move(body) } };
}

} // namespace kpg::render
