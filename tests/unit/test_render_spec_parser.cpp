#include "render/spec_parser.hpp"

#include <doctest/doctest.h>

#include <string>

using kpg::render::parse_cluster_spec;

namespace {

const std::string k_header = "apiVersion: pg.kubectl-pg.io/v1alpha1\n"
                             "kind: PostgresCluster\n";

std::vector<std::string> errors_of(const std::string& text)
{
  auto result = parse_cluster_spec(text, "c.yaml");
  REQUIRE_FALSE(result);
  return result.error();
}

} // namespace

TEST_CASE("parse_cluster_spec")
{
  SUBCASE("reads every field and records where each came from")
  {
    auto result = parse_cluster_spec(k_header + "metadata:\n"
                                                "  name: orders\n"
                                                "  namespace: shop\n"
                                                "  labels: {team: payments}\n"
                                                "  annotations: {a.io/b: \"x: y\"}\n"
                                                "spec:\n"
                                                "  engine: patroni\n"
                                                "  postgresVersion: 16\n"
                                                "  members: 5\n"
                                                "  namespaceExists: true\n"
                                                "  storage: {size: 20Gi, storageClassName: ssd}\n"
                                                "  resources:\n"
                                                "    requests: {cpu: 2, memory: 4Gi}\n"
                                                "    limits: {memory: 4Gi}\n"
                                                "  postgresql:\n"
                                                "    synchronousMode: on\n"
                                                "    parameters: {work_mem: 64MB, jit: off}\n"
                                                "  pgpool:\n"
                                                "    replicas: 3\n"
                                                "    numInitChildren: 40\n"
                                                "    maxPool: 3\n"
                                                "  service: {type: NodePort}\n"
                                                "  antiAffinity: required\n"
                                                "  images: {registry: mirror.local}\n",
                                     "c.yaml");
    REQUIRE(result);
    const auto& spec = result->spec;
    CHECK(spec.name == "orders");
    CHECK(spec.namespace_name == "shop");
    CHECK(spec.labels.at("team") == "payments");
    CHECK(spec.annotations.at("a.io/b") == "x: y");
    CHECK(spec.postgres_version == 16);
    CHECK(spec.members == 5);
    CHECK(spec.namespace_policy == kpg::render::NamespacePolicy::exists);
    CHECK(spec.storage.size == "20Gi");
    CHECK(spec.storage.storage_class == "ssd");
    CHECK(spec.resources.requests.cpu == "2");
    CHECK(spec.resources.limits.memory == "4Gi");
    CHECK(spec.resources.limits.cpu.empty());
    CHECK(spec.postgresql.synchronous_mode == kpg::render::SynchronousMode::on);
    CHECK(spec.postgresql.parameters.at("jit") == "off");
    CHECK(spec.pgpool.replicas == 3);
    CHECK(spec.pgpool.num_init_children == 40);
    CHECK(spec.pgpool.max_pool == 3);
    CHECK(spec.service_type == kpg::render::ServiceType::node_port);
    CHECK(spec.anti_affinity == kpg::render::AntiAffinity::required);
    CHECK(spec.images.registry == "mirror.local");
    CHECK(result->origins.at("spec.members") == "c.yaml:11:12");
    CHECK(result->origins.at("metadata.labels.team") == "c.yaml:6:18");
  }

  SUBCASE("keeps defaults for fields left out, and null sections are unset")
  {
    auto result = parse_cluster_spec(k_header + "metadata: {name: x}\nspec:\n  postgresql:\n",
                                     "c.yaml");
    REQUIRE(result);
    CHECK(result->spec.members == 3);
    CHECK(result->spec.postgres_version == 17);
    CHECK(result->spec.storage.size == "10Gi");
    CHECK(result->spec.namespace_name == "default");
  }

  SUBCASE("unknown keys name their position and the closest known field")
  {
    CHECK(errors_of(k_header + "metadata: {name: x}\nspec:\n  membrs: 3\n  foo: 1\n") ==
          std::vector<std::string>{
            "c.yaml:5:3: unknown field \"spec.membrs\"; did you mean \"spec.members\"?",
            "c.yaml:6:3: unknown field \"spec.foo\"; known fields here: engine, "
            "postgresVersion, members, namespaceExists, storage, resources, postgresql, "
            "pgpool, service, antiAffinity, images"});
  }

  SUBCASE("wrong types")
  {
    CHECK(errors_of(k_header + "metadata: {name: x}\nspec:\n  members: \"3\"\n") ==
          std::vector<std::string>{"c.yaml:5:12: spec.members: \"3\" is not an integer; write a "
                                   "whole number without quotes, e.g. 3"});
    CHECK(errors_of(k_header + "metadata: {name: x}\nspec:\n  namespaceExists: yes\n") ==
          std::vector<std::string>{"c.yaml:5:20: spec.namespaceExists: \"yes\" is not a "
                                   "boolean; write true or false"});
    CHECK(errors_of(k_header + "metadata: {name: x}\nspec:\n  storage: 10Gi\n") ==
          std::vector<std::string>{"c.yaml:5:12: spec.storage: \"10Gi\" is not a mapping; write "
                                   "`key: value` lines under it"});
    CHECK(errors_of(k_header + "metadata: {name: [a]}\n") ==
          std::vector<std::string>{"c.yaml:3:18: metadata.name: a list is not a single value"});
    CHECK(errors_of(k_header + "metadata:\n  labels: {a: }\n") ==
          std::vector<std::string>{"c.yaml:4:12: metadata.labels.a: has no value; write `key: "
                                   "value`"});
  }

  SUBCASE("enums list their choices")
  {
    CHECK(errors_of(k_header + "metadata: {name: x}\nspec:\n  engine: stolon\n") ==
          std::vector<std::string>{"c.yaml:5:11: spec.engine: \"stolon\" is not one of patroni, "
                                   "repmgr"});
    CHECK(errors_of(k_header + "metadata: {name: x}\nspec:\n  service: {type: Ingress}\n") ==
          std::vector<std::string>{"c.yaml:5:19: spec.service.type: \"Ingress\" is not one of "
                                   "ClusterIP, NodePort, LoadBalancer"});
    CHECK(errors_of(k_header + "metadata: {name: x}\nspec:\n  antiAffinity: soft\n") ==
          std::vector<std::string>{"c.yaml:5:17: spec.antiAffinity: \"soft\" is not one of "
                                   "preferred, required"});
  }

  SUBCASE("header and document shape")
  {
    CHECK(errors_of("kind: PostgresCluster\nmetadata: {name: x}\n") ==
          std::vector<std::string>{
            "c.yaml:1:1: apiVersion: missing; add `apiVersion: pg.kubectl-pg.io/v1alpha1`"});
    CHECK(errors_of("apiVersion: v1\nkind: Pod\n") ==
          std::vector<std::string>{
            "c.yaml:1:13: apiVersion: \"v1\" is not supported; this version of kubectl-pg reads "
            "pg.kubectl-pg.io/v1alpha1",
            "c.yaml:2:7: kind: \"Pod\" is not supported; use PostgresCluster"});
    CHECK(errors_of("- a\n") ==
          std::vector<std::string>{"c.yaml:1:1: the file must hold one mapping with apiVersion, "
                                   "kind, metadata and spec"});
    CHECK(errors_of(k_header + "---\n" + k_header) ==
          std::vector<std::string>{"c.yaml: holds 2 YAML documents; a cluster spec is exactly "
                                   "one"});
    CHECK(errors_of("a: [\n") ==
          std::vector<std::string>{"c.yaml:2:1: not valid YAML: end of sequence flow not found"});
  }
}
