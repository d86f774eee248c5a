#include "pg/cluster_delete.hpp"

#include "kube/resource_client.hpp"
#include "pg/kube_objects.hpp"
#include "render/labels.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace kpg::pg {

namespace {

using nlohmann::json;

std::vector<std::string> names_of(const std::vector<json>& objects)
{
  std::vector<std::string> names;
  for (const auto& object : objects) {
    names.push_back(kube::object_name(object));
  }
  std::sort(names.begin(), names.end(),
            [](const auto& a, const auto& b) { return ordinal_less(a, b); });
  return names;
}

std::string plural(std::string_view kind, std::size_t count)
{
  if (count == 1 || kind.ends_with("s")) {
    return std::string(kind);
  }
  if (kind.ends_with("y")) {
    return fmt::format("{}ies", kind.substr(0, kind.size() - 1));
  }
  return fmt::format("{}s", kind);
}

std::string counted_names(std::size_t count, std::string_view what,
                          const std::vector<std::string>& names)
{
  return fmt::format("{} {} ({})", count, what, fmt::join(names, ", "));
}

} // namespace

Expected<DeletePlan, FetchError> plan_delete(kube::RestClient& client,
                                             const std::string& namespace_name,
                                             const std::string& name)
{
  DeletePlan plan;
  plan.namespace_name = namespace_name;
  plan.name = name;
  const std::string created = render::cluster_selector(name);
  std::set<std::string> created_config_maps;
  for (const auto& kind : k_deletion_order) {
    const auto type = kube::builtin_resource(kind.api_version, kind.kind);
    auto items = list_cluster_objects(client, type, namespace_name, name, created);
    if (!items) {
      return unexpected(std::move(items).error());
    }
    for (const auto& object_name : names_of(*items)) {
      plan.objects.push_back({ type, object_name, kind.stage });
      if (type.kind == "ConfigMap") {
        created_config_maps.insert(object_name);
      }
    }
  }

  const std::string data = render::database_selector(name);
  auto claims = list_cluster_objects(client, kube::builtin_resource("v1", "PersistentVolumeClaim"),
                                     namespace_name, name, data);
  if (!claims) {
    return unexpected(std::move(claims).error());
  }
  plan.volume_claims = names_of(*claims);
  auto config_maps = list_cluster_objects(client, kube::builtin_resource("v1", "ConfigMap"),
                                          namespace_name, name, data);
  if (!config_maps) {
    return unexpected(std::move(config_maps).error());
  }
  for (const auto& object_name : names_of(*config_maps)) {
    if (!created_config_maps.contains(object_name)) {
      plan.patroni_config_maps.push_back(object_name);
    }
  }

  return plan;
}

Expected<bool, FetchError> namespace_created_for(kube::RestClient& client,
                                                 const std::string& namespace_name,
                                                 const std::string& name)
{
  const kube::ResourceClient namespaces(client, kube::builtin_resource("v1", "Namespace"), "");
  auto found = namespaces.get(namespace_name);
  if (!found) {
    if (found.error().is_not_found()) {
      return false;
    }
    return unexpected(
      FetchError{ fmt::format("reading namespace {}", namespace_name), std::move(found).error() });
  }
  return label(*found, render::k_label_instance) == name &&
         label(*found, render::k_label_managed_by) == render::k_managed_by_value;
}

std::string count_by_kind(const std::vector<ClusterObject>& objects)
{
  std::vector<std::string> parts;
  for (auto first = objects.begin(); first != objects.end();) {
    const auto last = std::find_if(first, objects.end(), [&](const ClusterObject& object) {
      return object.type.kind != first->type.kind;
    });
    const auto count = static_cast<std::size_t>(last - first);
    parts.push_back(fmt::format("{} {}", count, plural(first->type.kind, count)));
    first = last;
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string describe_data(const DeletePlan& plan)
{
  std::vector<std::string> parts;
  if (!plan.volume_claims.empty()) {
    parts.push_back(counted_names(plan.volume_claims.size(),
                                  plural("PersistentVolumeClaim", plan.volume_claims.size()),
                                  plan.volume_claims));
  }
  if (!plan.patroni_config_maps.empty()) {
    parts.push_back(counted_names(plan.patroni_config_maps.size(),
                                  "Patroni " + plural("ConfigMap", plan.patroni_config_maps.size()),
                                  plan.patroni_config_maps));
  }
  return fmt::format("{}", fmt::join(parts, " and "));
}

} // namespace kpg::pg
