#include "core/error.hpp"
#include "render/spec_loader.hpp"

#include <doctest/doctest.h>

using namespace kpg::render;

TEST_CASE("load_cluster_spec")
{
  SpecOverrides flags;
  flags.name = "orders";
  const SpecFile file{ "apiVersion: pg.kubectl-pg.io/v1alpha1\n"
                       "kind: PostgresCluster\n"
                       "metadata: {name: orders, namespace: shop}\n"
                       "spec: {members: 5}\n",
                       "cluster.yaml" };

  SUBCASE("the namespace: -n, else the file's, else the default given (the kubeconfig's)")
  {
    CHECK(load_cluster_spec(std::nullopt, flags, "from-context").spec.namespace_name ==
          "from-context");
    CHECK(load_cluster_spec(file, {}, "from-context").spec.namespace_name == "shop");
    flags.namespace_name = "from-flag";
    CHECK(load_cluster_spec(file, flags, "from-context").spec.namespace_name == "from-flag");
  }

  SUBCASE("flags override the file, the file the defaults")
  {
    flags.pgpool_replicas = 1;
    const auto loaded = load_cluster_spec(file, flags, "default");
    CHECK(loaded.spec.members == 5);
    CHECK(loaded.spec.pgpool.replicas == 1);
    CHECK(loaded.spec.storage.size == "10Gi");
  }

  SUBCASE("an invalid default namespace is named as coming from the kubeconfig context")
  {
    CHECK_THROWS_WITH_AS(load_cluster_spec(std::nullopt, flags, "Not_Valid"),
                         doctest::Contains("the kubeconfig context's namespace"),
                         kpg::UsageError);
  }
}
