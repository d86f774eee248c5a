#include "render/spec_change.hpp"

#include <doctest/doctest.h>

using namespace kpg::render;

TEST_CASE("review_spec_change")
{
  ClusterSpec applied;
  applied.name = "orders";
  ClusterSpec wanted = applied;

  SUBCASE("what a running cluster takes is neither refused nor warned about")
  {
    wanted.members = 5;
    wanted.pgpool.num_init_children = applied.pgpool.num_init_children;
    wanted.images.spilo = "mirror.example.com/spilo-17:4.0-p3";
    wanted.labels["team"] = "payments";
    const auto review = review_spec_change(applied, wanted);
    CHECK(review.refused.empty());
    CHECK(review.not_applied_live.empty());
  }

  SUBCASE("a volumeClaimTemplates change is refused, naming the field, both values and the fix")
  {
    wanted.storage.size = "20Gi";
    wanted.storage.storage_class = "fast";
    const auto review = review_spec_change(applied, wanted);
    REQUIRE(review.refused.size() == 2);
    CHECK(review.refused[0] ==
          "spec.storage.size: 10Gi -> 20Gi: the volume size is part of the StatefulSet's "
          "volumeClaimTemplates, which the API server does not let change; keep 10Gi (drop "
          "--storage-size), or expand each PVC with `kubectl patch pvc` if its StorageClass "
          "allows volume expansion");
    CHECK(review.refused[1].starts_with("spec.storage.storageClassName: (not set) -> fast: "));
  }

  SUBCASE("engine and PostgreSQL major version are refused")
  {
    wanted.engine = Engine::repmgr;
    wanted.postgres_version = 16;
    const auto review = review_spec_change(applied, wanted);
    REQUIRE(review.refused.size() == 2);
    CHECK(review.refused[0].starts_with("spec.engine: patroni -> repmgr: "));
    CHECK(review.refused[1].starts_with("spec.postgresVersion: 17 -> 16: a new major version "
                                        "cannot start on the data directory of PostgreSQL 17"));
  }

  SUBCASE("bootstrap-only settings are applied to the manifests but reported as not live")
  {
    wanted.postgresql.parameters["work_mem"] = "64MB";
    wanted.postgresql.synchronous_mode = SynchronousMode::on;
    wanted.pgpool.replicas = 3;
    const auto review = review_spec_change(applied, wanted);
    CHECK(review.refused.empty());
    REQUIRE(review.not_applied_live.size() == 3);
    CHECK(review.not_applied_live[0].starts_with(
      "spec.postgresql.parameters: (none) -> work_mem=64MB: Patroni applies it only when the "
      "cluster is first bootstrapped"));
    CHECK(review.not_applied_live[1].starts_with("spec.postgresql.synchronousMode: off -> on: "));
    // 2 pods x 32 children x 2 connections + headroom, then 3 pods
    CHECK(review.not_applied_live[2].starts_with(
      "max_connections (from the pgpool pool sizes): 148 -> 212: "));
  }
}
