#include "kube/resource_client.hpp"

#include <fmt/format.h>

#include <optional>
#include <utility>
#include <vector>

namespace kpg::kube {

namespace {

constexpr int k_default_page_size = 500; // kubectl's chunk size (KC pkg/cmd/util/helpers.go)
// apimachinery's metadata-only list, then plain JSON for servers without it
// (client-go metadata/metadata.go).
constexpr const char* k_accept_metadata_list =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

class Query
{
public:
  void add(const char* name, std::string_view value)
  {
    if (!value.empty()) {
      m_text += fmt::format("{}{}={}", m_text.empty() ? "?" : "&", name, query_escape(value));
    }
  }
  const std::string& text() const
  {
    return m_text;
  }

private:
  std::string m_text;
};

const char* validation_name(FieldValidation validation)
{
  switch (validation) {
    case FieldValidation::strict:
      return "Strict";
    case FieldValidation::warn:
      return "Warn";
    case FieldValidation::ignore:
      return "Ignore";
  }
  return "Strict";
}

std::string write_query(const WriteOptions& options)
{
  Query query;
  query.add("dryRun", options.dry_run == DryRun::all ? "All" : "");
  query.add("fieldManager", options.field_manager);
  query.add("fieldValidation", validation_name(options.field_validation));
  return query.text();
}

const char* patch_content_type(PatchType type)
{
  switch (type) {
    case PatchType::merge:
      return "application/merge-patch+json";
    case PatchType::strategic_merge:
      return "application/strategic-merge-patch+json";
    case PatchType::json:
      return "application/json-patch+json";
    case PatchType::apply:
      return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

std::string object_namespace(const nlohmann::json& object)
{
  return metadata_field(object, "namespace");
}

} // namespace

std::string metadata_field(const nlohmann::json& object, const char* field)
{
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) {
    return {};
  }
  const auto value = metadata->find(field);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : std::string();
}

ResourceClient::ResourceClient(RestClient& client, ResourceType type, std::string namespace_name)
  : m_client(client)
  , m_type(std::move(type))
  , m_namespace(m_type.scope == Scope::namespaced ? std::move(namespace_name) : std::string())
{
}

std::string ResourceClient::what(const std::string& name) const
{
  return name.empty() ? m_type.group_resource() : m_type.group_resource() + " " + name;
}

Result<nlohmann::json> ResourceClient::send(std::string method, std::string path,
                                            std::string what_text, std::string body,
                                            std::string content_type, std::string accept,
                                            const FieldMask* fields) const
{
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.body = std::move(body);
  if (!content_type.empty()) {
    request.headers.emplace_back("Content-Type", std::move(content_type));
  }
  if (!accept.empty()) {
    request.headers.emplace_back("Accept", std::move(accept));
  }
  auto response = m_client.request(std::move(request), what_text);
  if (!response) {
    return unexpected(std::move(response).error());
  }
  auto doc = fields != nullptr ? parse_fields(response->body, *fields)
                               : nlohmann::json::parse(response->body, nullptr, false);
  if (doc.is_discarded()) {
    return unexpected(KubeError(
      ApiError(ApiStatus{ static_cast<int>(response->status),
                          "InternalError",
                          fmt::format("the server answered {} {} with a body that is not JSON",
                                      response->status, what_text),
                          {},
                          {},
                          {},
                          {},
                          0 })));
  }
  return doc;
}

Result<nlohmann::json> ResourceClient::get(const std::string& name) const
{
  return send("GET", resource_path(m_type, m_namespace, name), what(name));
}

std::string ResourceClient::list_path(const ListOptions& options, bool watch) const
{
  Query query;
  query.add("labelSelector", options.label_selector);
  query.add("fieldSelector", options.field_selector);
  if (options.limit > 0) {
    query.add("limit", std::to_string(options.limit));
  }
  query.add("continue", options.continue_token);
  query.add("resourceVersion", options.resource_version);
  if (watch) {
    query.add("watch", "1");
    query.add("allowWatchBookmarks", "true");
  }
  return resource_path(m_type, m_namespace) + query.text();
}

Result<nlohmann::json> ResourceClient::list(const ListOptions& options) const
{
  std::optional<FieldMask> page_fields;
  if (options.item_fields != nullptr) {
    page_fields.emplace(FieldMask{ "kind", "apiVersion", "metadata" });
    page_fields->keep("items", *options.item_fields);
  }
  // The metadata form falls back to whole objects on servers without it.
  return send("GET", list_path(options, false), what(""), {}, {},
              options.form == ListForm::metadata ? k_accept_metadata_list : std::string(),
              page_fields ? &*page_fields : nullptr);
}

Result<nlohmann::json> ResourceClient::list_all(ListOptions options) const
{
  if (options.limit <= 0) {
    options.limit = k_default_page_size;
  }
  bool restarted = false;
  nlohmann::json merged;
  for (;;) {
    auto page = list(options);
    if (!page) {
      if (page.error().is_expired() && !options.continue_token.empty() && !restarted) {
        restarted = true; // the snapshot is gone: start over (K8S_API.md 4.2)
        options.continue_token.clear();
        merged = nullptr;
        continue;
      }
      return page;
    }
    nlohmann::json items = nlohmann::json::array();
    if (const auto found = page->find("items"); found != page->end() && found->is_array()) {
      items = std::move(*found); // moved, not copied: a page can be tens of MB
    }
    const auto metadata = page->value("metadata", nlohmann::json::object());
    const std::string next_token = metadata.value("continue", "");
    if (merged.is_null()) {
      merged = std::move(*page);
      merged["items"] = nlohmann::json::array();
    }
    for (auto& item : items) {
      merged["items"].push_back(std::move(item));
    }
    options.continue_token = next_token;
    if (options.continue_token.empty()) {
      if (merged.contains("metadata") && merged["metadata"].is_object()) {
        merged["metadata"].erase("continue");
      }
      return merged;
    }
  }
}

Result<nlohmann::json> ResourceClient::create(const nlohmann::json& object,
                                              const WriteOptions& options) const
{
  const std::string ns = object_namespace(object).empty() ? m_namespace : object_namespace(object);
  return send("POST", resource_path(m_type, ns) + write_query(options), what(object_name(object)),
              object.dump(), "application/json");
}

Result<nlohmann::json> ResourceClient::replace(const nlohmann::json& object,
                                               const WriteOptions& options) const
{
  const std::string name = object_name(object);
  const std::string ns = object_namespace(object).empty() ? m_namespace : object_namespace(object);
  return send("PUT", resource_path(m_type, ns, name) + write_query(options), what(name),
              object.dump(), "application/json");
}

Result<nlohmann::json> ResourceClient::patch_path(const std::string& name,
                                                  const std::string& subresource, PatchType type,
                                                  const nlohmann::json& patch,
                                                  const WriteOptions& options) const
{
  std::string query = write_query(options);
  if (type == PatchType::apply) {
    query += "&force=false"; // kubectl sends force explicitly with apply
  }
  return send("PATCH", resource_path(m_type, m_namespace, name, subresource) + query, what(name),
              patch.dump(), patch_content_type(type));
}

Result<nlohmann::json> ResourceClient::patch(const std::string& name, PatchType type,
                                             const nlohmann::json& patch,
                                             const WriteOptions& options) const
{
  return patch_path(name, "", type, patch, options);
}

Result<ApplyResult> ResourceClient::apply(const nlohmann::json& object,
                                          const ApplyOptions& options) const
{
  const std::string name = object_name(object);
  const std::string ns = object_namespace(object).empty() ? m_namespace : object_namespace(object);
  nlohmann::json body = object;
  if (body.contains("metadata") && body["metadata"].is_object()) {
    body["metadata"].erase("managedFields"); // apply configurations must not carry them
  }
  Query query;
  query.add("dryRun", options.dry_run == DryRun::all ? "All" : "");
  query.add("fieldManager", options.field_manager);
  query.add("fieldValidation", validation_name(options.field_validation));
  query.add("force", options.force == ForceConflicts::yes ? "true" : "false");
  HttpRequest request;
  request.method = "PATCH";
  request.path = resource_path(m_type, ns, name) + query.text();
  request.body = body.dump();
  request.headers.emplace_back("Content-Type", patch_content_type(PatchType::apply));
  auto response = m_client.request(std::move(request), what(name));
  if (!response) {
    return unexpected(std::move(response).error());
  }
  ApplyResult result;
  result.created = response->status == 201;
  result.object = nlohmann::json::parse(response->body, nullptr, false);
  return result;
}

Result<nlohmann::json> ResourceClient::remove(const std::string& name,
                                              const DeleteOptions& options) const
{
  nlohmann::json body = { { "kind", "DeleteOptions" }, { "apiVersion", "v1" } };
  if (options.grace_period_seconds) {
    body["gracePeriodSeconds"] = *options.grace_period_seconds;
  }
  if (!options.propagation_policy.empty()) {
    body["propagationPolicy"] = options.propagation_policy;
  }
  if (!options.precondition_uid.empty()) {
    body["preconditions"]["uid"] = options.precondition_uid;
  }
  if (!options.precondition_resource_version.empty()) {
    body["preconditions"]["resourceVersion"] = options.precondition_resource_version;
  }
  if (options.dry_run == DryRun::all) {
    body["dryRun"] = nlohmann::json::array({ "All" });
  }
  return send("DELETE", resource_path(m_type, m_namespace, name), what(name), body.dump(),
              "application/json");
}

Result<nlohmann::json> ResourceClient::get_status(const std::string& name) const
{
  return send("GET", resource_path(m_type, m_namespace, name, "status"), what(name));
}

Result<nlohmann::json> ResourceClient::replace_status(const nlohmann::json& object,
                                                      const WriteOptions& options) const
{
  const std::string name = object_name(object);
  return send("PUT", resource_path(m_type, m_namespace, name, "status") + write_query(options),
              what(name), object.dump(), "application/json");
}

Result<nlohmann::json> ResourceClient::patch_status(const std::string& name, PatchType type,
                                                    const nlohmann::json& patch,
                                                    const WriteOptions& options) const
{
  return patch_path(name, "status", type, patch, options);
}

Result<nlohmann::json> ResourceClient::get_scale(const std::string& name) const
{
  return send("GET", resource_path(m_type, m_namespace, name, "scale"), what(name));
}

Result<nlohmann::json> ResourceClient::set_scale(const std::string& name, int replicas,
                                                 const WriteOptions& options) const
{
  return patch_path(name, "scale", PatchType::merge, { { "spec", { { "replicas", replicas } } } },
                    options);
}

} // namespace kpg::kube
