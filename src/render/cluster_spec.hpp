#pragma once
// The cluster spec: one highly available PostgreSQL cluster, as a user writes it
// in a versioned YAML file (apiVersion pg.kubectl-pg.io/v1alpha1, kind
// PostgresCluster) and overrides it with `kubectl pg create` flags.
// README.md ("The cluster spec") documents every field and default; the
// defaults below are the single source of those values.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kpg::render {

inline constexpr const char* k_spec_api_version = "pg.kubectl-pg.io/v1alpha1";
inline constexpr const char* k_spec_kind = "PostgresCluster";

enum class Engine { patroni, repmgr };
enum class SynchronousMode { off, on, strict };
enum class ServiceType { cluster_ip, node_port, load_balancer };
enum class AntiAffinity { preferred, required };
enum class NamespacePolicy { create, exists };

// A Kubernetes ResourceList restricted to cpu and memory; an empty string
// means "not set" (the field is left out of the manifest).
struct ResourceList
{
  std::string cpu;    // a quantity, e.g. "500m" or "2"
  std::string memory; // a quantity, e.g. "1Gi"
};

struct Resources
{
  ResourceList requests;
  ResourceList limits;
};

struct StorageSpec
{
  std::string size = "10Gi";  // per member: the PersistentVolumeClaim's request
  std::string storage_class;  // empty: the cluster's default StorageClass
};

struct PostgresqlSpec
{
  // postgresql.conf parameters, applied at bootstrap through Patroni's DCS
  // configuration (sorted by name, values as written).
  std::map<std::string, std::string> parameters;
  SynchronousMode synchronous_mode = SynchronousMode::off;
};

struct PgpoolSpec
{
  int replicas = 2;
  int num_init_children = 32; // pgpool's num_init_children: concurrent client sessions per pod
  int max_pool = 2;           // pgpool's max_pool: cached backend connections per child
  Resources resources{{"100m", "128Mi"}, {"", "256Mi"}};
};

struct ImagesSpec
{
  std::string registry; // replaces the registry host of every default image (mirrors)
  std::string spilo;    // full image reference; empty: the pinned default for the version
  std::string pgpool;   // full image reference; empty: the pinned default
};

struct ClusterSpec
{
  std::string name;                      // metadata.name (required)
  std::string namespace_name = "default"; // metadata.namespace
  std::map<std::string, std::string> labels;      // added to every object and pod
  std::map<std::string, std::string> annotations; // added to every object
  Engine engine = Engine::patroni;
  int postgres_version = 17;
  int members = 3;
  NamespacePolicy namespace_policy = NamespacePolicy::create;
  StorageSpec storage;
  Resources resources{{"250m", "512Mi"}, {"", "1Gi"}};
  PostgresqlSpec postgresql;
  PgpoolSpec pgpool;
  ServiceType service_type = ServiceType::cluster_ip;
  AntiAffinity anti_affinity = AntiAffinity::preferred;
  ImagesSpec images;
};

// Spelling of the enums in the spec file and on the command line.
const char* to_string(Engine engine);
const char* to_string(SynchronousMode mode);
const char* to_string(ServiceType type);
const char* to_string(AntiAffinity anti_affinity);

} // namespace kpg::render

namespace kpg::render {

// Parses the spelling used in specs and flags; std::nullopt when unknown.
std::optional<Engine> parse_engine(std::string_view text);
std::optional<SynchronousMode> parse_synchronous_mode(std::string_view text);
std::optional<ServiceType> parse_service_type(std::string_view text);
std::optional<AntiAffinity> parse_anti_affinity(std::string_view text);

// The accepted spellings, for error messages and help: "patroni, repmgr".
const char* engine_choices();
const char* synchronous_mode_choices();
const char* service_type_choices();
const char* anti_affinity_choices();

// Where each field's value came from, by field path ("spec.members"): a file
// position ("cluster.yaml:7:12") or a flag ("--members"). Validation errors
// name it so the user knows what to edit.
using FieldOrigins = std::map<std::string, std::string>;

} // namespace kpg::render
