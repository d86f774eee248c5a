#include "kube/apply_set.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <utility>

namespace kpg::kube {

namespace {

constexpr std::array<std::string_view, 11> k_kind_order = {
  "Namespace",  "NetworkPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret",
  "ConfigMap",  "Role",          "RoleBinding",         "Service",        "StatefulSet",
  "Deployment",
};

std::size_t kind_rank(const nlohmann::json& object)
{
  const auto kind = object.value("kind", "");
  const auto* it = std::find(k_kind_order.begin(), k_kind_order.end(), kind);
  return static_cast<std::size_t>(it - k_kind_order.begin());
}

bool is_create_only(const ApplySetOptions& options, const std::string& kind)
{
  return std::find(options.create_only_kinds.begin(), options.create_only_kinds.end(), kind) !=
         options.create_only_kinds.end();
}

// Throws kpg::Error for a kind kubectl-pg has no resource for (a template
// set rendering an unexpected kind): nothing about it can be sent.
ResourceType type_of(const nlohmann::json& object)
{
  auto type = resource_for_object(object);
  if (!type) {
    throw Error(fmt::format("applying {} {}: {}", object.value("kind", "(no kind)"),
                            object_name(object), type.error()));
  }
  return *type;
}

Result<AppliedObject> create_only(const ResourceClient& client, const nlohmann::json& object,
                                  const ApplySetOptions& options, std::string ref)
{
  WriteOptions write;
  write.dry_run = options.dry_run;
  auto created = client.create(object, write);
  if (created) {
    return AppliedObject{ std::move(ref), ApplyAction::created, std::move(*created) };
  }
  if (created.error().code() != 409 || created.error().api() == nullptr ||
      created.error().api()->reason() != "AlreadyExists") {
    return unexpected(std::move(created).error());
  }
  AppliedObject kept{ std::move(ref), ApplyAction::kept, nullptr };
  if (options.dry_run == DryRun::all) {
    auto existing = client.get(object_name(object));
    if (!existing) {
      return unexpected(std::move(existing).error());
    }
    kept.object = std::move(*existing);
  }
  return kept;
}

// The object without what the server and controllers maintain on their own.
nlohmann::json desired_part(nlohmann::json object)
{
  object.erase("status");
  object.erase("apiVersion"); // list items carry neither
  object.erase("kind");
  if (auto it = object.find("metadata"); it != object.end() && it->is_object()) {
    it->erase("resourceVersion");
    it->erase("generation");
    it->erase("managedFields");
  }
  return object;
}

bool same_apart_from_status(const nlohmann::json& before, const nlohmann::json& after)
{
  return metadata_field(before, "resourceVersion") == metadata_field(after, "resourceVersion") ||
         desired_part(before) == desired_part(after);
}

} // namespace

std::string_view to_string(ApplyAction action)
{
  switch (action) {
    case ApplyAction::created:
      return "created";
    case ApplyAction::configured:
      return "configured";
    case ApplyAction::unchanged:
    case ApplyAction::kept:
      return "unchanged";
  }
  return "unchanged";
}

std::string object_ref(const ResourceType& type, std::string_view name)
{
  std::string kind = type.kind;
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type.group.empty() ? fmt::format("{}/{}", kind, name)
                            : fmt::format("{}.{}/{}", kind, type.group, name);
}

Expected<std::string, std::string> object_ref(const nlohmann::json& object)
{
  auto type = resource_for_object(object);
  if (!type) {
    return unexpected(std::move(type).error());
  }
  return object_ref(*type, object_name(object));
}

std::vector<nlohmann::json> in_apply_order(std::vector<nlohmann::json> objects)
{
  std::stable_sort(
    objects.begin(), objects.end(),
    [](const nlohmann::json& a, const nlohmann::json& b) { return kind_rank(a) < kind_rank(b); });
  return objects;
}

Result<ExistingObjects> existing_objects(RestClient& client,
                                         const std::vector<nlohmann::json>& objects,
                                         const std::string& label_selector,
                                         const ApplySetOptions& options)
{
  ExistingObjects versions;
  std::set<std::pair<std::string, std::string>> listed; // (resource path, namespace)
  for (const auto& object : objects) {
    if (is_create_only(options, object.value("kind", ""))) {
      continue;
    }
    const auto type = type_of(object);
    const auto ns = metadata_field(object, "namespace");
    const ResourceClient resources(client, type, ns);
    if (type.scope == Scope::cluster) {
      auto existing = resources.get(object_name(object));
      if (existing) {
        auto ref = object_ref(type, object_name(object));
        versions[std::move(ref)] = std::move(*existing);
      } else if (!existing.error().is_not_found()) {
        return unexpected(std::move(existing).error());
      }
      continue;
    }
    if (!listed.emplace(resource_path(type, ns), ns).second) {
      continue;
    }
    ListOptions selector;
    selector.label_selector = label_selector;
    auto list = resources.list_all(selector);
    if (!list) {
      return unexpected(std::move(list).error());
    }
    for (auto& item : (*list)["items"]) {
      // The key first: json::operator= takes its argument by value, and the
      // right operand of = is evaluated first, which would move `item` away.
      auto ref = object_ref(type, object_name(item));
      versions[std::move(ref)] = std::move(item);
    }
  }
  return versions;
}

Result<AppliedObject> apply_object(RestClient& client, const nlohmann::json& object,
                                   const ApplySetOptions& options, const ExistingObjects& before)
{
  const auto type = type_of(object);
  const ResourceClient resources(client, type, metadata_field(object, "namespace"));
  auto ref = object_ref(type, object_name(object));
  if (is_create_only(options, type.kind)) {
    return create_only(resources, object, options, std::move(ref));
  }
  ApplyOptions apply;
  apply.force = options.force;
  apply.dry_run = options.dry_run;
  auto result = resources.apply(object, apply);
  if (!result) {
    return unexpected(std::move(result).error());
  }
  ApplyAction action = ApplyAction::configured;
  if (result->created) {
    action = ApplyAction::created;
  } else if (const auto it = before.find(ref);
             it != before.end() && same_apart_from_status(it->second, result->object)) {
    action = ApplyAction::unchanged;
  }
  return AppliedObject{ std::move(ref), action, std::move(result->object) };
}

} // namespace kpg::kube
