#include "cluster_scenario.hpp"
#include "fake_clock.hpp"
#include "pg/cluster_list.hpp"

#include <doctest/doctest.h>

#include <sstream>

using kpg::pg::NamespaceColumn;
using kpg::test::member_pod;
using kpg::test::pod;
using kpg::test::workload;
using kpg::ui::OutputFormat;

namespace {

constexpr const char* k_spilo = "ghcr.io/zalando/spilo-16:4.0-p2";
constexpr const char* k_pgpool = "docker.io/pgpool/pgpool:4.5.4";

nlohmann::json in_namespace(nlohmann::json object, const std::string& namespace_name,
                            const std::string& instance)
{
  object["metadata"]["namespace"] = namespace_name;
  object["metadata"]["labels"][std::string(kpg::render::k_label_instance)] = instance;
  return object;
}

struct Fleet
{
  std::vector<nlohmann::json> statefulsets;
  std::vector<nlohmann::json> deployments;
  std::vector<nlohmann::json> pods;
};

// db/orders: healthy. db/billing: 2 of 3 members ready, no leader label yet,
// pgpool 1/2. shop/cart: two pods labelled leader. Plus an object without
// the instance label, which is ignored.
Fleet fleet()
{
  Fleet f;
  f.statefulsets = { workload("StatefulSet", "orders", 3, 3, "database", k_spilo, "db", "orders"),
                     workload("StatefulSet", "billing", 3, 2, "database", k_spilo, "db", "billing"),
                     workload("StatefulSet", "cart", 2, 2, "database", k_spilo, "shop", "cart") };
  f.deployments = {
    workload("Deployment", "orders-pgpool", 2, 2, "pooler", k_pgpool, "db", "orders"),
    workload("Deployment", "billing-pgpool", 2, 1, "pooler", k_pgpool, "db", "billing"),
    workload("Deployment", "cart-pgpool", 1, 1, "pooler", k_pgpool, "shop", "cart")
  };
  f.pods = {
    pod(member_pod("orders-0", "10.244.0.11", "node-1", "master")),
    pod(member_pod("orders-1", "10.244.0.12", "node-2", "replica")),
    in_namespace(pod(member_pod("billing-0", "10.244.1.11", "node-1", "replica")), "db", "billing"),
    in_namespace(pod(member_pod("cart-1", "10.244.2.12", "node-2", "primary")), "shop", "cart"),
    in_namespace(pod(member_pod("cart-0", "10.244.2.11", "node-1", "master")), "shop", "cart"),
    pod(kpg::test::pgpool_pod("orders-pgpool-7d9f8-abcde", "10.244.0.21", "node-1"))
  };
  auto stray = pod(member_pod("stray-0", "10.244.9.9", "node-1", "master"));
  stray["metadata"]["labels"].erase(std::string(kpg::render::k_label_instance));
  f.pods.push_back(stray);
  return f;
}

std::string print(const kpg::pg::ClusterList& list, OutputFormat format)
{
  std::ostringstream out;
  kpg::ui::print(out, list, format, kpg::ui::Palette());
  return out.str();
}

} // namespace

TEST_CASE("build_cluster_rows")
{
  const Fleet f = fleet();
  const auto rows = kpg::pg::build_cluster_rows(f.statefulsets, f.deployments, f.pods);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].namespace_name == "db");
  CHECK(rows[0].name == "billing");
  CHECK(rows[0].reasons == std::vector<std::string>{ "members 2/3", "no leader", "pgpool 1/2" });
  CHECK(rows[1].name == "orders");
  CHECK(rows[1].engine == "patroni");
  CHECK(rows[1].leaders == std::vector<std::string>{ "orders-0" });
  CHECK(rows[1].healthy());
  CHECK(rows[2].namespace_name == "shop");
  CHECK(rows[2].leaders == std::vector<std::string>{ "cart-0", "cart-1" });
  CHECK(rows[2].reasons == std::vector<std::string>{ "2 leaders" });

  SUBCASE("a cluster whose StatefulSet is gone still shows up")
  {
    const auto orphaned = kpg::pg::build_cluster_rows({}, f.deployments, {});
    REQUIRE(orphaned.size() == 3);
    CHECK(orphaned[1].reasons == std::vector<std::string>{ "no StatefulSet" });
  }
}

TEST_CASE("ClusterList::print_text")
{
  const Fleet f = fleet();
  const auto now = kpg::test::fixture_time();
  SUBCASE("one namespace")
  {
    auto rows = kpg::pg::build_cluster_rows(f.statefulsets, f.deployments, f.pods);
    rows.erase(rows.begin() + 2);
    const kpg::pg::ClusterList list(rows, NamespaceColumn::hidden, now);
    CHECK(print(list, OutputFormat::table) ==
          "NAME      ENGINE    MEMBERS   LEADER     PGPOOL   AGE   HEALTH\n"
          "billing   patroni   2/3       <none>     1/2      5d    degraded\n"
          "orders    patroni   3/3       orders-0   2/2      5d    healthy\n");
  }
  SUBCASE("all namespaces, wide")
  {
    const kpg::pg::ClusterList list(
      kpg::pg::build_cluster_rows(f.statefulsets, f.deployments, f.pods), NamespaceColumn::shown,
      now);
    CHECK(print(list, OutputFormat::wide) ==
          "NAMESPACE   NAME      ENGINE    MEMBERS   LEADER          PGPOOL   AGE   HEALTH     "
          "IMAGE                             REASON\n"
          "db          billing   patroni   2/3       <none>          1/2      5d    degraded   "
          "ghcr.io/zalando/spilo-16:4.0-p2   members 2/3, no leader, pgpool 1/2\n"
          "db          orders    patroni   3/3       orders-0        2/2      5d    healthy    "
          "ghcr.io/zalando/spilo-16:4.0-p2\n"
          "shop        cart      patroni   2/2       cart-0,cart-1   1/1      5d    degraded   "
          "ghcr.io/zalando/spilo-16:4.0-p2   2 leaders\n");
    CHECK(print(list, OutputFormat::name) == "cluster/billing\ncluster/orders\ncluster/cart\n");
  }
}

TEST_CASE("ClusterList::to_json")
{
  const Fleet f = fleet();
  const kpg::pg::ClusterList list(
    kpg::pg::build_cluster_rows(f.statefulsets, f.deployments, f.pods), NamespaceColumn::shown,
    kpg::test::fixture_time());
  const auto document = nlohmann::ordered_json::parse(print(list, OutputFormat::json));
  CHECK(document["kind"] == "ClusterList");
  CHECK(document["schemaVersion"] == 1);
  REQUIRE(document["items"].size() == 3);
  CHECK(document["items"][1].dump() ==
        R"({"namespace":"db","name":"orders","engine":"patroni","membersReady":3,)"
        R"("membersDesired":3,"leader":"orders-0","pgpoolReady":2,"pgpoolDesired":2,)"
        R"("created":"2026-11-16T16:50:01Z","health":"healthy","reasons":[]})");
  CHECK(document["items"][2]["leader"].is_null());
  CHECK(document["items"][0]["reasons"] ==
        nlohmann::ordered_json{ "members 2/3", "no leader", "pgpool 1/2" });
}

TEST_CASE("workload_fields")
{
  auto statefulset =
    kpg::test::workload("StatefulSet", "orders", 3, 2, "database", "spilo:1", "db", "orders");
  statefulset["metadata"]["managedFields"] = nlohmann::json::array({ { { "manager", "x" } } });
  statefulset["metadata"]["uid"] = "1234";
  const auto summary = kpg::parse_fields(statefulset.dump(), kpg::pg::workload_fields());
  CHECK(summary ==
        nlohmann::json{ { "metadata",
                          { { "name", "orders" },
                            { "namespace", "db" },
                            { "labels", statefulset["metadata"]["labels"] },
                            { "creationTimestamp", "2026-11-16T16:50:01Z" } } },
                        { "spec",
                          { { "replicas", 3 },
                            { "template",
                              { { "spec",
                                  { { "containers", nlohmann::json::array(
                                                      { { { "image", "spilo:1" } } }) } } } } } } },
                        { "status", { { "readyReplicas", 2 } } } });
  // What the rows read is the same from the summary as from the object.
  const auto from_summary = kpg::pg::build_cluster_rows({ summary }, {}, {});
  const auto from_object = kpg::pg::build_cluster_rows({ statefulset }, {}, {});
  CHECK(from_summary[0].image == "spilo:1");
  CHECK(from_summary[0].members_ready == from_object[0].members_ready);
  CHECK(from_summary[0].members_desired == from_object[0].members_desired);
  CHECK(from_summary[0].created == from_object[0].created);
  CHECK(from_summary[0].reasons == from_object[0].reasons);
  CHECK(kpg::parse_fields(statefulset.dump(), kpg::pg::pod_fields()) ==
        nlohmann::json{ { "metadata",
                          { { "name", "orders" },
                            { "namespace", "db" },
                            { "labels", statefulset["metadata"]["labels"] } } } });
}
