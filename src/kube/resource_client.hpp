#pragma once
// Generic, untyped access to one resource type in one namespace: objects are
// nlohmann::json documents in wire form, no generated model classes.
//
// Verbs (K8S_API.md 2.1, 3): get, list (+ list_all, which pages with
// limit/continue until `continue` is empty), create, replace (PUT; the
// object's resourceVersion is the optimistic lock), patch (merge,
// strategic-merge, JSON patch), server-side apply, remove (DELETE with
// gracePeriodSeconds, propagationPolicy, preconditions) and the `status` and
// `scale` subresources.
//
// Server-side apply (K8S_API.md 3.1-3.3): PATCH with application/apply-patch+yaml,
// fieldManager=kubectl-pg, force=true|false (--force-conflicts),
// fieldValidation=Strict, dryRun=All on request. A 201 means created, 200 updated.
// Conflicts come back as ApiError whose text() names each field and its manager.

#include "core/json_fields.hpp"
#include "kube/resource.hpp"
#include "kube/rest_client.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kpg::kube {

inline constexpr const char* k_field_manager = "kubectl-pg";

enum class DryRun
{
  none,
  all
};
enum class ForceConflicts
{
  no,
  yes
};
enum class FieldValidation
{
  strict,
  warn,
  ignore
};
enum class PatchType
{
  merge,
  strategic_merge,
  json,
  apply
};

// What a LIST returns per item: whole objects, or only their metadata
// (PartialObjectMetadataList, K8S_API.md 2.1: names, labels, annotations,
// timestamps; far less to send and parse when labels are all one needs).
enum class ListForm
{
  objects,
  metadata,
};

struct ListOptions
{
  std::string label_selector; // "app=pg,role in (primary,replica)"
  std::string field_selector; // "metadata.name=pg-0,status.phase=Running"
  int limit = 0;              // page size; 0: the server's choice (everything)
  std::string continue_token;
  std::string resource_version; // "" most recent, "0" any
  ListForm form = ListForm::objects;
  // When set, only these fields of each item are parsed and kept (the rest of
  // the page is skipped by the parser, core/json_fields.hpp); the mask must
  // outlive the call. nullptr: whole items.
  const FieldMask* item_fields = nullptr;
};

struct WriteOptions
{
  DryRun dry_run = DryRun::none;
  FieldValidation field_validation = FieldValidation::strict;
  std::string field_manager = k_field_manager;
};

struct ApplyOptions
{
  ForceConflicts force = ForceConflicts::no;
  DryRun dry_run = DryRun::none;
  FieldValidation field_validation = FieldValidation::strict;
  std::string field_manager = k_field_manager;
};

struct DeleteOptions
{
  std::optional<int> grace_period_seconds;
  std::string propagation_policy; // "", Foreground, Background, Orphan
  std::string precondition_uid;
  std::string precondition_resource_version;
  DryRun dry_run = DryRun::none;
};

struct ApplyResult
{
  nlohmann::json object;
  bool created = false; // 201 Created, else 200 (updated or unchanged)
};

class ResourceClient
{
public:
  // `namespace_name` is ignored for cluster-scoped types; empty on a namespaced
  // type lists across all namespaces.
  ResourceClient(RestClient& client, ResourceType type, std::string namespace_name);

  Result<nlohmann::json> get(const std::string& name) const;
  // One page: the List object (items, metadata.resourceVersion, metadata.continue).
  Result<nlohmann::json> list(const ListOptions& options = {}) const;
  // Every page merged into one List (items of all pages); restarts from the
  // first page once if a continue token expires (410). With
  // options.item_fields, only those fields of earlier pages' items are held.
  Result<nlohmann::json> list_all(ListOptions options = {}) const;
  Result<nlohmann::json> create(const nlohmann::json& object,
                                const WriteOptions& options = {}) const;
  Result<nlohmann::json> replace(const nlohmann::json& object,
                                 const WriteOptions& options = {}) const;
  // PatchType::apply is apply() with default options; prefer apply().
  Result<nlohmann::json> patch(const std::string& name, PatchType type, const nlohmann::json& patch,
                               const WriteOptions& options = {}) const;
  Result<ApplyResult> apply(const nlohmann::json& object, const ApplyOptions& options = {}) const;
  // The response body: the object (with deletionTimestamp while finalizers or
  // grace run) or a Status.
  Result<nlohmann::json> remove(const std::string& name, const DeleteOptions& options = {}) const;

  Result<nlohmann::json> get_status(const std::string& name) const;
  Result<nlohmann::json> replace_status(const nlohmann::json& object,
                                        const WriteOptions& options = {}) const;
  Result<nlohmann::json> patch_status(const std::string& name, PatchType type,
                                      const nlohmann::json& patch,
                                      const WriteOptions& options = {}) const;
  // autoscaling/v1 Scale
  Result<nlohmann::json> get_scale(const std::string& name) const;
  Result<nlohmann::json> set_scale(const std::string& name, int replicas,
                                   const WriteOptions& options = {}) const;

  const ResourceType& type() const
  {
    return m_type;
  }
  const std::string& namespace_name() const
  {
    return m_namespace;
  }
  RestClient& rest() const
  {
    return m_client;
  }
  // The collection path with a list/watch query (watch.cpp builds on it).
  std::string list_path(const ListOptions& options, bool watch) const;

private:
  Result<nlohmann::json> send(std::string method, std::string path, std::string what,
                              std::string body = {}, std::string content_type = {},
                              std::string accept = {}, const FieldMask* fields = nullptr) const;
  Result<nlohmann::json> patch_path(const std::string& name, const std::string& subresource,
                                    PatchType type, const nlohmann::json& patch,
                                    const WriteOptions& options) const;
  std::string what(const std::string& name) const;

  RestClient& m_client;
  ResourceType m_type;
  std::string m_namespace;
};

// A string field of `object`'s metadata ("name", "namespace",
// "resourceVersion"), or "" when absent.
std::string metadata_field(const nlohmann::json& object, const char* field);

inline std::string object_name(const nlohmann::json& object)
{
  return metadata_field(object, "name");
}

} // namespace kpg::kube
