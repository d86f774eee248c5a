#include "kube/resource.hpp"

#include "kube/curl_handle.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace kpg::kube {

namespace {

struct BuiltinKind
{
  const char* group;
  const char* version;
  const char* resource;
  const char* kind;
  Scope scope;
};

// The kinds kubectl-pg renders, reads or waits on. Add a row for a new kind.
constexpr std::array k_builtin_kinds{
  BuiltinKind{ "", "v1", "namespaces", "Namespace", Scope::cluster },
  BuiltinKind{ "", "v1", "pods", "Pod", Scope::namespaced },
  BuiltinKind{ "", "v1", "services", "Service", Scope::namespaced },
  BuiltinKind{ "", "v1", "endpoints", "Endpoints", Scope::namespaced },
  BuiltinKind{ "", "v1", "configmaps", "ConfigMap", Scope::namespaced },
  BuiltinKind{ "", "v1", "secrets", "Secret", Scope::namespaced },
  BuiltinKind{ "", "v1", "serviceaccounts", "ServiceAccount", Scope::namespaced },
  BuiltinKind{ "", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", Scope::namespaced },
  BuiltinKind{ "", "v1", "persistentvolumes", "PersistentVolume", Scope::cluster },
  BuiltinKind{ "", "v1", "events", "Event", Scope::namespaced },
  BuiltinKind{ "", "v1", "nodes", "Node", Scope::cluster },
  BuiltinKind{ "apps", "v1", "statefulsets", "StatefulSet", Scope::namespaced },
  BuiltinKind{ "apps", "v1", "deployments", "Deployment", Scope::namespaced },
  BuiltinKind{ "apps", "v1", "replicasets", "ReplicaSet", Scope::namespaced },
  BuiltinKind{ "apps", "v1", "controllerrevisions", "ControllerRevision", Scope::namespaced },
  BuiltinKind{ "batch", "v1", "jobs", "Job", Scope::namespaced },
  BuiltinKind{ "batch", "v1", "cronjobs", "CronJob", Scope::namespaced },
  BuiltinKind{ "policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", Scope::namespaced },
  BuiltinKind{ "networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", Scope::namespaced },
  BuiltinKind{ "rbac.authorization.k8s.io", "v1", "roles", "Role", Scope::namespaced },
  BuiltinKind{ "rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding",
               Scope::namespaced },
  BuiltinKind{ "rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", Scope::cluster },
  BuiltinKind{ "rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding",
               Scope::cluster },
  BuiltinKind{ "coordination.k8s.io", "v1", "leases", "Lease", Scope::namespaced },
  BuiltinKind{ "discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", Scope::namespaced },
  BuiltinKind{ "storage.k8s.io", "v1", "storageclasses", "StorageClass", Scope::cluster },
  BuiltinKind{ "monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor",
               Scope::namespaced },
};

} // namespace

std::string ResourceType::api_version() const
{
  return group.empty() ? version : group + "/" + version;
}

std::string ResourceType::group_resource() const
{
  return group.empty() ? resource : resource + "." + group;
}

std::string ResourceType::group_version_path() const
{
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

Expected<ResourceType, std::string> resource_for_kind(std::string_view api_version,
                                                      std::string_view kind)
{
  for (const auto& builtin : k_builtin_kinds) {
    const ResourceType type{ builtin.group, builtin.version, builtin.resource, builtin.kind,
                             builtin.scope };
    if (type.kind == kind && type.api_version() == api_version) {
      return type;
    }
  }
  return unexpected(
    fmt::format("no resource is known for kind \"{}\" in \"{}\": kubectl-pg "
                "serves only the built-in kinds of its stack (src/kube/resource.cpp)",
                kind, api_version));
}

ResourceType builtin_resource(std::string_view api_version, std::string_view kind)
{
  auto type = resource_for_kind(api_version, kind);
  if (!type) {
    throw std::logic_error(type.error());
  }
  return std::move(type).value();
}

Expected<ResourceType, std::string> resource_for_object(const nlohmann::json& object)
{
  if (!object.is_object() || !object.contains("apiVersion") || !object.contains("kind") ||
      !object["apiVersion"].is_string() || !object["kind"].is_string()) {
    return unexpected(std::string("the object has no apiVersion and kind"));
  }
  return resource_for_kind(object["apiVersion"].get<std::string>(),
                           object["kind"].get<std::string>());
}

std::string resource_path(const ResourceType& type, std::string_view namespace_name,
                          std::string_view name, std::string_view subresource)
{
  std::string path = type.group_version_path();
  if (type.scope == Scope::namespaced && !namespace_name.empty()) {
    path += fmt::format("/namespaces/{}", namespace_name);
  }
  path += "/" + type.resource;
  if (!name.empty()) {
    path += fmt::format("/{}", name);
    if (!subresource.empty()) {
      path += fmt::format("/{}", subresource);
    }
  }
  return path;
}

std::string query_escape(std::string_view value)
{
  return url_escape(value);
}

} // namespace kpg::kube
