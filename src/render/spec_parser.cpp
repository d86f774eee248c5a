#include "render/spec_parser.hpp"

#include "render/suggest.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <initializer_list>
#include <utility>

namespace kpg::render {

namespace {

// Walks the YAML tree, filling the spec and collecting every error.
class SpecReader
{
public:
  SpecReader(std::string source, ParsedSpec& out, std::vector<std::string>& errors)
    : m_source(std::move(source)),
      m_out(out),
      m_errors(errors)
  {
  }

  void read_document(const YAML::Node& root)
  {
    if (!root.IsMap()) {
      error(root, "", "the file must hold one mapping with apiVersion, kind, metadata and spec");
      return;
    }
    check_keys(root, "", {"apiVersion", "kind", "metadata", "spec"});
    read_header(root);
    if (const auto metadata = root["metadata"]; metadata && expect_map(metadata, "metadata")) {
      check_keys(metadata, "metadata", {"name", "namespace", "labels", "annotations"});
      auto& spec = m_out.spec;
      read_string(metadata["name"], "metadata.name", spec.name);
      read_string(metadata["namespace"], "metadata.namespace", spec.namespace_name);
      read_string_map(metadata["labels"], "metadata.labels", spec.labels);
      read_string_map(metadata["annotations"], "metadata.annotations", spec.annotations);
    }
    if (const auto spec = root["spec"]; spec && expect_map(spec, "spec")) {
      read_spec(spec);
    }
  }

private:
  void read_header(const YAML::Node& root)
  {
    const auto api_version = root["apiVersion"];
    const auto kind = root["kind"];
    if (!api_version) {
      error(root, "apiVersion", fmt::format("missing; add `apiVersion: {}`", k_spec_api_version));
    } else if (!api_version.IsScalar() || api_version.Scalar() != k_spec_api_version) {
      error(api_version, "apiVersion",
            fmt::format("{} is not supported; this version of kubectl-pg reads {}",
                        quoted(api_version), k_spec_api_version));
    }
    if (!kind) {
      error(root, "kind", fmt::format("missing; add `kind: {}`", k_spec_kind));
    } else if (!kind.IsScalar() || kind.Scalar() != k_spec_kind) {
      error(kind, "kind", fmt::format("{} is not supported; use {}", quoted(kind), k_spec_kind));
    }
  }

  void read_spec(const YAML::Node& node)
  {
    auto& spec = m_out.spec;
    check_keys(node, "spec",
               {"engine", "postgresVersion", "members", "namespaceExists", "storage", "resources",
                "postgresql", "pgpool", "service", "antiAffinity", "images"});
    read_enum(node["engine"], "spec.engine", spec.engine, parse_engine, engine_choices());
    read_int(node["postgresVersion"], "spec.postgresVersion", spec.postgres_version);
    read_int(node["members"], "spec.members", spec.members);
    bool namespace_exists = spec.namespace_policy == NamespacePolicy::exists;
    if (read_bool(node["namespaceExists"], "spec.namespaceExists", namespace_exists)) {
      spec.namespace_policy = namespace_exists ? NamespacePolicy::exists : NamespacePolicy::create;
    }
    if (const auto storage = node["storage"]; storage && expect_map(storage, "spec.storage")) {
      check_keys(storage, "spec.storage", {"size", "storageClassName"});
      read_string(storage["size"], "spec.storage.size", spec.storage.size);
      read_string(storage["storageClassName"], "spec.storage.storageClassName",
                  spec.storage.storage_class);
    }
    read_resources(node["resources"], "spec.resources", spec.resources);
    if (const auto pg = node["postgresql"]; pg && expect_map(pg, "spec.postgresql")) {
      check_keys(pg, "spec.postgresql", {"parameters", "synchronousMode"});
      read_string_map(pg["parameters"], "spec.postgresql.parameters", spec.postgresql.parameters);
      read_enum(pg["synchronousMode"], "spec.postgresql.synchronousMode",
                spec.postgresql.synchronous_mode, parse_synchronous_mode,
                synchronous_mode_choices());
    }
    if (const auto pgpool = node["pgpool"]; pgpool && expect_map(pgpool, "spec.pgpool")) {
      check_keys(pgpool, "spec.pgpool", {"replicas", "numInitChildren", "maxPool", "resources"});
      read_int(pgpool["replicas"], "spec.pgpool.replicas", spec.pgpool.replicas);
      read_int(pgpool["numInitChildren"], "spec.pgpool.numInitChildren",
               spec.pgpool.num_init_children);
      read_int(pgpool["maxPool"], "spec.pgpool.maxPool", spec.pgpool.max_pool);
      read_resources(pgpool["resources"], "spec.pgpool.resources", spec.pgpool.resources);
    }
    if (const auto service = node["service"]; service && expect_map(service, "spec.service")) {
      check_keys(service, "spec.service", {"type"});
      read_enum(service["type"], "spec.service.type", spec.service_type, parse_service_type,
                service_type_choices());
    }
    read_enum(node["antiAffinity"], "spec.antiAffinity", spec.anti_affinity, parse_anti_affinity,
              anti_affinity_choices());
    if (const auto images = node["images"]; images && expect_map(images, "spec.images")) {
      check_keys(images, "spec.images", {"registry", "spilo", "pgpool"});
      read_string(images["registry"], "spec.images.registry", spec.images.registry);
      read_string(images["spilo"], "spec.images.spilo", spec.images.spilo);
      read_string(images["pgpool"], "spec.images.pgpool", spec.images.pgpool);
    }
  }

  void read_resources(const YAML::Node& node, const std::string& path, Resources& target)
  {
    if (!node || !expect_map(node, path)) {
      return;
    }
    check_keys(node, path, {"requests", "limits"});
    read_resource_list(node["requests"], path + ".requests", target.requests);
    read_resource_list(node["limits"], path + ".limits", target.limits);
  }

  void read_resource_list(const YAML::Node& node, const std::string& path, ResourceList& target)
  {
    if (!node || !expect_map(node, path)) {
      return;
    }
    check_keys(node, path, {"cpu", "memory"});
    // A quantity may be written as a YAML number (cpu: 2); keep its text.
    read_scalar_text(node["cpu"], path + ".cpu", target.cpu);
    read_scalar_text(node["memory"], path + ".memory", target.memory);
  }

  std::string where(const YAML::Node& node) const
  {
    const auto mark = node.Mark();
    return fmt::format("{}:{}:{}", m_source, mark.line + 1, mark.column + 1);
  }

  void error(const YAML::Node& node, const std::string& path, const std::string& message)
  {
    m_errors.push_back(path.empty() ? fmt::format("{}: {}", where(node), message)
                                    : fmt::format("{}: {}: {}", where(node), path, message));
  }

  static std::string quoted(const YAML::Node& node)
  {
    if (node.IsScalar()) {
      return fmt::format("\"{}\"", node.Scalar());
    }
    return node.IsMap() ? "a mapping" : node.IsSequence() ? "a list" : "null";
  }

  static std::string join(const std::string& path, const std::string& key)
  {
    return path.empty() ? key : path + "." + key;
  }

  // A mapping to read; null (`key:` with nothing under it) means "not set".
  bool expect_map(const YAML::Node& node, const std::string& path)
  {
    if (node.IsMap()) {
      return true;
    }
    if (node.IsNull()) {
      return false;
    }
    error(node, path, fmt::format("{} is not a mapping; write `key: value` lines under it",
                                  quoted(node)));
    return false;
  }

  void check_keys(const YAML::Node& node, const std::string& path,
                  std::initializer_list<const char*> allowed)
  {
    const std::vector<std::string> known(allowed.begin(), allowed.end());
    for (const auto& entry : node) {
      const auto key = entry.first.as<std::string>("");
      bool is_known = false;
      for (const auto& candidate : known) {
        is_known = is_known || candidate == key;
      }
      if (is_known) {
        continue;
      }
      const auto suggestion = closest_match(key, known);
      m_errors.push_back(fmt::format(
        "{}: unknown field \"{}\"{}", where(entry.first), join(path, key),
        suggestion.empty() ? fmt::format("; known fields here: {}", fmt::join(known, ", "))
                           : fmt::format("; did you mean \"{}\"?", join(path, suggestion))));
    }
  }

  // A scalar that was written (not null); records its origin.
  bool scalar(const YAML::Node& node, const std::string& path)
  {
    if (!node || node.IsNull()) {
      return false;
    }
    if (!node.IsScalar()) {
      error(node, path, fmt::format("{} is not a single value", quoted(node)));
      return false;
    }
    m_out.origins[path] = where(node);
    return true;
  }

  void read_scalar_text(const YAML::Node& node, const std::string& path, std::string& target)
  {
    if (scalar(node, path)) {
      target = node.Scalar();
    }
  }

  void read_string(const YAML::Node& node, const std::string& path, std::string& target)
  {
    read_scalar_text(node, path, target);
  }

  void read_int(const YAML::Node& node, const std::string& path, int& target)
  {
    if (!scalar(node, path)) {
      return;
    }
    const auto& text = node.Scalar();
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (node.Tag() == "!" || ec != std::errc() || ptr != end) {
      error(node, path, fmt::format("\"{}\" is not an integer; write a whole number without "
                                    "quotes, e.g. 3",
                                    text));
      return;
    }
    target = value;
  }

  bool read_bool(const YAML::Node& node, const std::string& path, bool& target)
  {
    if (!scalar(node, path)) {
      return false;
    }
    const auto& text = node.Scalar();
    if (node.Tag() != "!" && (text == "true" || text == "false")) {
      target = text == "true";
      return true;
    }
    error(node, path, fmt::format("\"{}\" is not a boolean; write true or false", text));
    return false;
  }

  template<typename Enum, typename Parse>
  void read_enum(const YAML::Node& node, const std::string& path, Enum& target, Parse parse,
                 const char* choices)
  {
    if (!scalar(node, path)) {
      return;
    }
    if (const auto value = parse(node.Scalar())) {
      target = *value;
    } else {
      error(node, path, fmt::format("\"{}\" is not one of {}", node.Scalar(), choices));
    }
  }

  void read_string_map(const YAML::Node& node, const std::string& path,
                       std::map<std::string, std::string>& target)
  {
    if (!node || node.IsNull() || !expect_map(node, path)) {
      return;
    }
    for (const auto& entry : node) {
      const auto key = entry.first.as<std::string>("");
      const auto entry_path = fmt::format("{}.{}", path, key);
      if (scalar(entry.second, entry_path)) {
        target[key] = entry.second.Scalar();
      } else if (!entry.second || entry.second.IsNull()) {
        error(entry.first, entry_path, "has no value; write `key: value`");
      }
    }
  }

  std::string m_source;
  ParsedSpec& m_out;
  std::vector<std::string>& m_errors;
};

} // namespace

Expected<ParsedSpec, std::vector<std::string>> parse_cluster_spec(std::string_view text,
                                                                  const std::string& source)
{
  std::vector<std::string> errors;
  ParsedSpec parsed;
  try {
    const auto documents = YAML::LoadAll(std::string(text));
    if (documents.size() != 1) {
      return unexpected(std::vector<std::string>{
        fmt::format("{}: holds {} YAML documents; a cluster spec is exactly one", source,
                    documents.size())});
    }
    SpecReader reader(source, parsed, errors);
    reader.read_document(documents.front());
  } catch (const YAML::Exception& e) {
    return unexpected(std::vector<std::string>{
      fmt::format("{}:{}:{}: not valid YAML: {}", source, e.mark.line + 1, e.mark.column + 1,
                  e.msg)});
  }
  if (!errors.empty()) {
    return unexpected(std::move(errors));
  }
  return parsed;
}

} // namespace kpg::render
