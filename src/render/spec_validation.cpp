#include "render/spec_validation.hpp"

#include "render/images.hpp"
#include "render/k8s_names.hpp"
#include "render/quantity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

namespace kpg::render {

namespace {

// Parameters Patroni or Spilo set themselves; overriding them breaks the cluster.
constexpr std::array<std::string_view, 10> k_managed_parameters{
  "listen_addresses", "port",     "cluster_name", "data_directory", "config_file",
  "hba_file",         "ident_file", "hot_standby", "synchronous_standby_names",
  "primary_conninfo"};

class Validator
{
public:
  Validator(const ClusterSpec& spec, const FieldOrigins& origins)
    : m_spec(spec),
      m_origins(origins)
  {
  }

  ValidationResult run()
  {
    check_names();
    check_labels();
    check_engine();
    check_members();
    check_storage();
    check_resources(m_spec.resources, "spec.resources");
    check_resources(m_spec.pgpool.resources, "spec.pgpool.resources");
    check_postgresql();
    check_pgpool();
    check_images();
    return std::move(m_result);
  }

private:
  std::string prefix(const std::string& path) const
  {
    const auto origin = m_origins.find(path);
    if (origin == m_origins.end()) {
      return path;
    }
    // A flag or argument: "spec.members (from --members)"; a file position
    // leads, as compilers print it: "cluster.yaml:7:12: spec.members".
    const bool from_command_line =
      origin->second.starts_with("-") || origin->second.starts_with("NAME");
    return from_command_line ? fmt::format("{} (from {})", path, origin->second)
                             : fmt::format("{}: {}", origin->second, path);
  }

  void error(const std::string& path, const std::string& message)
  {
    m_result.errors.push_back(fmt::format("{}: {}", prefix(path), message));
  }

  void warning(const std::string& path, const std::string& message)
  {
    m_result.warnings.push_back(fmt::format("{}: {}", prefix(path), message));
  }

  void check_names()
  {
    const auto& name = m_spec.name;
    if (name.empty()) {
      error("metadata.name", "missing; name the cluster: `kubectl pg create NAME` or "
                             "metadata.name in the spec file");
    } else if (!is_dns1035_label(name)) {
      error("metadata.name",
            fmt::format("\"{}\" is not a valid cluster name; use lower-case letters, digits and "
                        "'-', starting with a letter and ending with a letter or digit (the "
                        "Services kubectl-pg creates are named after it: RFC 1035 labels)",
                        name));
    } else if (name.size() > k_max_cluster_name) {
      error("metadata.name",
            fmt::format("\"{}\" has {} characters; a StatefulSet's pods carry the label "
                        "controller-revision-hash=<name>-<10-character hash>, which must fit in "
                        "63, so use at most {} characters",
                        name, name.size(), k_max_cluster_name));
    }
    if (!is_dns1123_label(m_spec.namespace_name)) {
      error("metadata.namespace",
            fmt::format("\"{}\" is not a valid namespace name; use at most 63 lower-case "
                        "letters, digits and '-', starting and ending with a letter or digit",
                        m_spec.namespace_name));
    }
  }

  void check_labels()
  {
    for (const auto& [key, value] : m_spec.labels) {
      const auto path = "metadata.labels." + key;
      if (!is_qualified_name(key)) {
        error(path, fmt::format("\"{}\" is not a valid label key; use [prefix/]name with a DNS "
                                "subdomain prefix and a name of at most 63 letters, digits, "
                                "'-', '_' or '.'",
                                key));
      } else if (key.starts_with("app.kubernetes.io/") || key == "spilo-role") {
        error(path, fmt::format("\"{}\" is set by kubectl-pg (selectors depend on it); choose "
                                "another key",
                                key));
      }
      if (!is_label_value(value)) {
        error(path, fmt::format("\"{}\" is not a valid label value; use at most 63 letters, "
                                "digits, '-', '_' or '.', starting and ending with a letter or "
                                "digit",
                                value));
      }
    }
    for (const auto& [key, value] : m_spec.annotations) {
      if (!is_qualified_name(key)) {
        error("metadata.annotations." + key,
              fmt::format("\"{}\" is not a valid annotation key; use [prefix/]name with a DNS "
                          "subdomain prefix and a name of at most 63 letters, digits, '-', '_' "
                          "or '.'",
                          key));
      }
    }
  }

  void check_engine()
  {
    if (m_spec.engine == Engine::repmgr) {
      error("spec.engine", "\"repmgr\" is not supported yet by this version of kubectl-pg; use "
                           "\"patroni\" (the default)");
    }
    const auto pinned = pinned_spilo_images();
    const bool supported = std::any_of(pinned.begin(), pinned.end(), [this](const auto& p) {
      return p.postgres_version == m_spec.postgres_version;
    });
    if (!supported) {
      std::vector<int> versions;
      for (const auto& p : pinned) {
        versions.push_back(p.postgres_version);
      }
      error("spec.postgresVersion",
            fmt::format("PostgreSQL {} is not supported; use one of {}", m_spec.postgres_version,
                        fmt::join(versions, ", ")));
    }
  }

  void check_members()
  {
    const int members = m_spec.members;
    if (members < 1) {
      error("spec.members", fmt::format("{} is too few; a cluster needs at least 1 member (3 for "
                                        "high availability)",
                                        members));
    } else if (members == 1) {
      warning("spec.members", "1 member has no standby: losing its pod or node makes the "
                              "database unavailable until Kubernetes restarts it elsewhere; use 3 "
                              "for high availability");
    } else if (members < 3) {
      warning("spec.members", fmt::format("{} members leave no standby while one is down for "
                                          "maintenance; use 3 for high availability",
                                          members));
    }
    if (members < 2 && m_spec.postgresql.synchronous_mode != SynchronousMode::off) {
      error("spec.postgresql.synchronousMode",
            fmt::format("\"{}\" needs a standby to replicate to, but spec.members is {}; use at "
                        "least 2 members or synchronousMode: off",
                        to_string(m_spec.postgresql.synchronous_mode), members));
    }
  }

  void check_storage()
  {
    const auto size = parse_quantity(m_spec.storage.size);
    if (!size) {
      error("spec.storage.size",
            fmt::format("\"{}\" is not a Kubernetes quantity; write e.g. 10Gi or 500Gi",
                        m_spec.storage.size));
    } else if (*size < 1048576.0L) {
      error("spec.storage.size", fmt::format("\"{}\" is too small for a PostgreSQL data "
                                             "directory; use at least 1Gi",
                                             m_spec.storage.size));
    }
    const auto& storage_class = m_spec.storage.storage_class;
    if (!storage_class.empty() && !is_dns1123_subdomain(storage_class)) {
      error("spec.storage.storageClassName",
            fmt::format("\"{}\" is not a valid StorageClass name; use lower-case letters, "
                        "digits, '-' and '.' (kubectl get storageclass lists them)",
                        storage_class));
    }
  }

  // Checks one quantity; returns its value when valid.
  std::optional<long double> quantity(const std::string& path, const std::string& text,
                                      const char* example)
  {
    if (text.empty()) {
      return std::nullopt;
    }
    const auto value = parse_quantity(text);
    if (!value || *value <= 0.0L) {
      error(path, fmt::format("\"{}\" is not a positive Kubernetes quantity; write e.g. {}", text,
                              example));
      return std::nullopt;
    }
    return value;
  }

  void check_resources(const Resources& resources, const std::string& path)
  {
    const auto pairs = {
      std::tuple{"cpu", &ResourceList::cpu, "500m or 2"},
      std::tuple{"memory", &ResourceList::memory, "512Mi or 4Gi"},
    };
    for (const auto& [name, member, example] : pairs) {
      const auto request_path = fmt::format("{}.requests.{}", path, name);
      const auto limit_path = fmt::format("{}.limits.{}", path, name);
      const auto request = quantity(request_path, resources.requests.*member, example);
      const auto limit = quantity(limit_path, resources.limits.*member, example);
      if (request && limit && *request > *limit) {
        error(request_path, fmt::format("the request \"{}\" exceeds the limit \"{}\" ({}); "
                                        "raise the limit or lower the request",
                                        resources.requests.*member, resources.limits.*member,
                                        limit_path));
      }
    }
  }

  void check_postgresql()
  {
    for (const auto& [name, value] : m_spec.postgresql.parameters) {
      const auto path = "spec.postgresql.parameters." + name;
      const bool valid_name =
        !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
        });
      if (!valid_name) {
        error(path, fmt::format("\"{}\" is not a PostgreSQL parameter name; use lower-case "
                                "letters, digits, '_' and '.'",
                                name));
      } else if (std::find(k_managed_parameters.begin(), k_managed_parameters.end(), name) !=
                 k_managed_parameters.end()) {
        error(path, fmt::format("\"{}\" is managed by Patroni and Spilo; remove it{}", name,
                                name == "synchronous_standby_names"
                                  ? " and set spec.postgresql.synchronousMode instead"
                                  : ""));
      }
    }
    const auto max_connections = m_spec.postgresql.parameters.find("max_connections");
    if (max_connections == m_spec.postgresql.parameters.end()) {
      return;
    }
    const auto path = std::string("spec.postgresql.parameters.max_connections");
    const auto& text = max_connections->second;
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value < 1) {
      error(path, fmt::format("\"{}\" is not a positive integer", text));
      return;
    }
    const long long needed = pgpool_backend_connections(m_spec) + k_reserved_connections;
    if (value < needed) {
      error(path, fmt::format("{} is below what pgpool can open ({} replicas x {} "
                              "numInitChildren x {} maxPool = {}) plus {} reserved for "
                              "superusers; raise it to at least {} or lower spec.pgpool sizes",
                              value, m_spec.pgpool.replicas, m_spec.pgpool.num_init_children,
                              m_spec.pgpool.max_pool, pgpool_backend_connections(m_spec),
                              k_reserved_connections, needed));
    }
  }

  void check_pgpool()
  {
    const auto at_least_one = [this](const char* path, int value, const char* what) {
      if (value < 1) {
        error(path, fmt::format("{} is too small; {} must be at least 1", value, what));
      }
    };
    at_least_one("spec.pgpool.replicas", m_spec.pgpool.replicas, "the number of pgpool pods");
    at_least_one("spec.pgpool.numInitChildren", m_spec.pgpool.num_init_children,
                 "num_init_children");
    at_least_one("spec.pgpool.maxPool", m_spec.pgpool.max_pool, "max_pool");
  }

  static bool is_image_reference(std::string_view text)
  {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '-' || c == '_' || c == '/' || c == ':' || c == '@';
    }) && text.front() != '/' && text.back() != '/';
  }

  void check_images()
  {
    const auto& images = m_spec.images;
    if (!images.registry.empty() &&
        (!is_image_reference(images.registry) || images.registry.find('@') != std::string::npos)) {
      error("spec.images.registry",
            fmt::format("\"{}\" is not a registry; write host[:port][/path], e.g. "
                        "mirror.example.com:5000/containers",
                        images.registry));
    }
    const auto image = [this](const char* path, const std::string& reference) {
      if (!reference.empty() && !is_image_reference(reference)) {
        error(path, fmt::format("\"{}\" is not an image reference; write "
                                "registry/repository:tag, e.g. {}",
                                reference, k_pinned_pgpool_image));
      }
    };
    image("spec.images.spilo", images.spilo);
    image("spec.images.pgpool", images.pgpool);
  }

  const ClusterSpec& m_spec;
  const FieldOrigins& m_origins;
  ValidationResult m_result;
};

} // namespace

ValidationResult validate_cluster_spec(const ClusterSpec& spec, const FieldOrigins& origins)
{
  return Validator(spec, origins).run();
}

long long pgpool_backend_connections(const ClusterSpec& spec)
{
  return static_cast<long long>(spec.pgpool.replicas) * spec.pgpool.num_init_children *
         spec.pgpool.max_pool;
}

std::string effective_max_connections(const ClusterSpec& spec)
{
  const auto set = spec.postgresql.parameters.find("max_connections");
  if (set != spec.postgresql.parameters.end()) {
    return set->second;
  }
  return std::to_string(pgpool_backend_connections(spec) + k_connection_headroom);
}

} // namespace kpg::render
