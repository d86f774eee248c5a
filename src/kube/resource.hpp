#pragma once
// Kinds and the REST resources that serve them, without discovery: the
// built-in kinds the stack uses are listed in a small table (resource.cpp).
//
// Paths (K8S_API.md 2.1): core group under /api/v1, named groups under
// /apis/<group>/<version>; namespaced resources add /namespaces/<ns>.

#include "core/expected.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace kpg::kube {

enum class Scope
{
  namespaced,
  cluster
};

struct ResourceType
{
  std::string group;    // "" for the core group, "apps", "policy", ...
  std::string version;  // "v1"
  std::string resource; // plural, lower case: "statefulsets"
  std::string kind;     // "StatefulSet"
  Scope scope = Scope::namespaced;

  // "v1" or "apps/v1"
  std::string api_version() const;
  // "statefulsets.apps" or "pods" (client-go GroupResource.String(), used in messages)
  std::string group_resource() const;
  // "/api/v1" or "/apis/apps/v1"
  std::string group_version_path() const;
};

// The built-in resource for apiVersion + kind, e.g. ("apps/v1", "StatefulSet").
// Error: `no resource is known for kind "X" in "g/v"; kubectl-pg knows ...`.
Expected<ResourceType, std::string> resource_for_kind(std::string_view api_version,
                                                      std::string_view kind);

// The resource of a kind kubectl-pg names itself (a constant such as
// ("apps/v1", "StatefulSet")); throws std::logic_error when the table lacks it.
ResourceType builtin_resource(std::string_view api_version, std::string_view kind);

// The resource of a manifest (its apiVersion and kind).
Expected<ResourceType, std::string> resource_for_object(const nlohmann::json& object);

// The REST path of a collection (`name` empty) or of one object, optionally a
// subresource: resource_path(sts, "db", "pg", "scale") ==
// "/apis/apps/v1/namespaces/db/statefulsets/pg/scale". An empty namespace on a
// namespaced resource addresses all namespaces (collections only).
std::string resource_path(const ResourceType& type, std::string_view namespace_name,
                          std::string_view name = {}, std::string_view subresource = {});

// Percent-encodes a query parameter value (RFC 3986 unreserved kept).
std::string query_escape(std::string_view value);

} // namespace kpg::kube
