#include "render/spec_validation.hpp"

#include <doctest/doctest.h>

#include <string>

using kpg::render::ClusterSpec;
using kpg::render::FieldOrigins;
using kpg::render::validate_cluster_spec;

namespace {

ClusterSpec valid_spec()
{
  ClusterSpec spec;
  spec.name = "orders";
  return spec;
}

std::vector<std::string> errors_of(const ClusterSpec& spec, const FieldOrigins& origins = {})
{
  return validate_cluster_spec(spec, origins).errors;
}

using Errors = std::vector<std::string>;

} // namespace

TEST_CASE("validate_cluster_spec")
{
  SUBCASE("the defaults with a name are valid, without warnings")
  {
    const auto result = validate_cluster_spec(valid_spec(), {});
    CHECK(result.errors.empty());
    CHECK(result.warnings.empty());
  }

  SUBCASE("names")
  {
    auto spec = valid_spec();
    spec.name = "";
    CHECK(errors_of(spec) == Errors{"metadata.name: missing; name the cluster: `kubectl pg "
                                    "create NAME` or metadata.name in the spec file"});
    spec.name = "1orders";
    CHECK(errors_of(spec, {{"metadata.name", "NAME argument"}}) ==
          Errors{"metadata.name (from NAME argument): \"1orders\" is not a valid cluster name; "
                 "use lower-case letters, digits and '-', starting with a letter and ending with "
                 "a letter or digit (the Services kubectl-pg creates are named after it: RFC "
                 "1035 labels)"});
    spec.name = std::string(53, 'a');
    CHECK(errors_of(spec) ==
          Errors{"metadata.name: \"" + spec.name +
                 "\" has 53 characters; a StatefulSet's pods carry the label "
                 "controller-revision-hash=<name>-<10-character hash>, which must fit in 63, so "
                 "use at most 52 characters"});
    spec.name = std::string(52, 'a');
    CHECK(errors_of(spec).empty());
    spec = valid_spec();
    spec.namespace_name = "Shop_1";
    CHECK(errors_of(spec, {{"metadata.namespace", "--namespace"}}) ==
          Errors{"metadata.namespace (from --namespace): \"Shop_1\" is not a valid namespace "
                 "name; use at most 63 lower-case letters, digits and '-', starting and ending "
                 "with a letter or digit"});
  }

  SUBCASE("labels and annotations")
  {
    auto spec = valid_spec();
    spec.labels = {{"team", "a b"}, {"-x", "ok"}, {"spilo-role", "master"}};
    spec.annotations = {{"bad key", "anything: goes\n"}};
    CHECK(errors_of(spec, {{"metadata.labels.team", "c.yaml:5:9"}}) ==
          Errors{"metadata.labels.-x: \"-x\" is not a valid label key; use [prefix/]name with a "
                 "DNS subdomain prefix and a name of at most 63 letters, digits, '-', '_' or '.'",
                 "metadata.labels.spilo-role: \"spilo-role\" is set by kubectl-pg (selectors "
                 "depend on it); choose another key",
                 "c.yaml:5:9: metadata.labels.team: \"a b\" is not a valid label value; use at "
                 "most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or "
                 "digit",
                 "metadata.annotations.bad key: \"bad key\" is not a valid annotation key; use "
                 "[prefix/]name with a DNS subdomain prefix and a name of at most 63 letters, "
                 "digits, '-', '_' or '.'"});
  }

  SUBCASE("engine and version")
  {
    auto spec = valid_spec();
    spec.engine = kpg::render::Engine::repmgr;
    spec.postgres_version = 12;
    CHECK(errors_of(spec) ==
          Errors{"spec.engine: \"repmgr\" is not supported yet by this version of kubectl-pg; "
                 "use \"patroni\" (the default)",
                 "spec.postgresVersion: PostgreSQL 12 is not supported; use one of 15, 16, 17"});
  }

  SUBCASE("members: an error below 1, a warning below 3, sync needs a standby")
  {
    auto spec = valid_spec();
    spec.members = 0;
    CHECK(errors_of(spec) == Errors{"spec.members: 0 is too few; a cluster needs at least 1 "
                                    "member (3 for high availability)"});
    spec.members = 1;
    spec.postgresql.synchronous_mode = kpg::render::SynchronousMode::strict;
    const auto result = validate_cluster_spec(spec, {{"spec.members", "--members"}});
    CHECK(result.errors ==
          Errors{"spec.postgresql.synchronousMode: \"strict\" needs a standby to replicate to, "
                 "but spec.members is 1; use at least 2 members or synchronousMode: off"});
    CHECK(result.warnings ==
          Errors{"spec.members (from --members): 1 member has no standby: losing its pod or "
                 "node makes the database unavailable until Kubernetes restarts it elsewhere; "
                 "use 3 for high availability"});
    spec.members = 2;
    CHECK(validate_cluster_spec(spec, {}).warnings ==
          Errors{"spec.members: 2 members leave no standby while one is down for maintenance; "
                 "use 3 for high availability"});
  }

  SUBCASE("storage")
  {
    auto spec = valid_spec();
    spec.storage.size = "10GB";
    spec.storage.storage_class = "Fast SSD";
    CHECK(errors_of(spec) ==
          Errors{"spec.storage.size: \"10GB\" is not a Kubernetes quantity; write e.g. 10Gi or "
                 "500Gi",
                 "spec.storage.storageClassName: \"Fast SSD\" is not a valid StorageClass name; "
                 "use lower-case letters, digits, '-' and '.' (kubectl get storageclass lists "
                 "them)"});
    spec = valid_spec();
    spec.storage.size = "100Ki";
    CHECK(errors_of(spec) == Errors{"spec.storage.size: \"100Ki\" is too small for a PostgreSQL "
                                    "data directory; use at least 1Gi"});
  }

  SUBCASE("resources")
  {
    auto spec = valid_spec();
    spec.resources.requests = {"-1", "lots"};
    spec.pgpool.resources.requests = {"2", "1Gi"};
    spec.pgpool.resources.limits = {"1", "2Gi"};
    CHECK(errors_of(spec) ==
          Errors{"spec.resources.requests.cpu: \"-1\" is not a positive Kubernetes quantity; "
                 "write e.g. 500m or 2",
                 "spec.resources.requests.memory: \"lots\" is not a positive Kubernetes "
                 "quantity; write e.g. 512Mi or 4Gi",
                 "spec.pgpool.resources.requests.cpu: the request \"2\" exceeds the limit \"1\" "
                 "(spec.pgpool.resources.limits.cpu); raise the limit or lower the request"});
  }

  SUBCASE("PostgreSQL parameters")
  {
    auto spec = valid_spec();
    spec.postgresql.parameters = {{"Work-Mem", "1"}, {"synchronous_standby_names", "*"},
                                  {"port", "5433"}};
    CHECK(errors_of(spec) ==
          Errors{"spec.postgresql.parameters.Work-Mem: \"Work-Mem\" is not a PostgreSQL "
                 "parameter name; use lower-case letters, digits, '_' and '.'",
                 "spec.postgresql.parameters.port: \"port\" is managed by Patroni and Spilo; "
                 "remove it",
                 "spec.postgresql.parameters.synchronous_standby_names: "
                 "\"synchronous_standby_names\" is managed by Patroni and Spilo; remove it and "
                 "set spec.postgresql.synchronousMode instead"});
  }

  SUBCASE("max_connections must cover pgpool's worst case")
  {
    auto spec = valid_spec();
    spec.postgresql.parameters["max_connections"] = "100";
    CHECK(errors_of(spec) ==
          Errors{"spec.postgresql.parameters.max_connections: 100 is below what pgpool can open "
                 "(2 replicas x 32 numInitChildren x 2 maxPool = 128) plus 3 reserved for "
                 "superusers; raise it to at least 131 or lower spec.pgpool sizes"});
    spec.postgresql.parameters["max_connections"] = "131";
    CHECK(errors_of(spec).empty());
    spec.postgresql.parameters["max_connections"] = "many";
    CHECK(errors_of(spec) == Errors{"spec.postgresql.parameters.max_connections: \"many\" is not "
                                    "a positive integer"});
    CHECK(kpg::render::effective_max_connections(valid_spec()) == "148");
  }

  SUBCASE("pgpool sizes")
  {
    auto spec = valid_spec();
    spec.pgpool.replicas = 0;
    spec.pgpool.num_init_children = 0;
    spec.pgpool.max_pool = -1;
    CHECK(errors_of(spec) ==
          Errors{"spec.pgpool.replicas: 0 is too small; the number of pgpool pods must be at "
                 "least 1",
                 "spec.pgpool.numInitChildren: 0 is too small; num_init_children must be at "
                 "least 1",
                 "spec.pgpool.maxPool: -1 is too small; max_pool must be at least 1"});
  }

  SUBCASE("images")
  {
    auto spec = valid_spec();
    spec.images.registry = "mirror local";
    spec.images.spilo = "spilo image";
    CHECK(errors_of(spec) ==
          Errors{"spec.images.registry: \"mirror local\" is not a registry; write "
                 "host[:port][/path], e.g. mirror.example.com:5000/containers",
                 "spec.images.spilo: \"spilo image\" is not an image reference; write "
                 "registry/repository:tag, e.g. docker.io/pgpool/pgpool:4.4.3"});
  }
}
