#include "cluster_scenario.hpp"
#include "cmd/list.hpp"
#include "cmd_fakes.hpp"
#include "core/error.hpp"

#include <doctest/doctest.h>

// Designated initializers leave the other flags at their defaults on purpose;
// GCC 12's -Wextra warns about every field left out.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using kpg::test::list_reply;
using kpg::test::workload;
using nlohmann::json;

TEST_CASE("run_list")
{
  kpg::test::CommandFixture f;
  const auto leader =
    kpg::test::pod(kpg::test::member_pod("orders-0", "10.244.0.11", "node-1", "master"));

  SUBCASE("-A: three LISTs across namespaces, one row per cluster")
  {
    f.transport.replies.push_back(list_reply(
      { workload("StatefulSet", "orders", 3, 3, "database", "spilo:1", "db", "orders"),
        workload("StatefulSet", "carts", 3, 2, "database", "spilo:1", "shop", "carts") }));
    f.transport.replies.push_back(list_reply(
      { workload("Deployment", "orders-pgpool", 2, 2, "pooler", "pgpool:4", "db", "orders") }));
    f.transport.replies.push_back(list_reply({ leader }));
    kpg::cmd::run_list({ .all_namespaces = true, .output = "json" }, f.client, "db", f.ctx);
    CHECK(f.paths() ==
          std::vector<std::string>{
            "GET /apis/apps/v1/statefulsets?labelSelector=app.kubernetes.io%2Fmanaged-by%"
            "3Dkubectl-pg&limit=5000",
            "GET /apis/apps/v1/deployments?labelSelector=app.kubernetes.io%2Fmanaged-by%"
            "3Dkubectl-pg&limit=5000",
            "GET /api/v1/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkubectl-pg%2Capp."
            "kubernetes.io%2Fcomponent%3Ddatabase%2Cspilo-role%20in%20%28master%2Cprimary%29&"
            "limit=5000" });
    // Pods as metadata only; workloads whole (then reduced to a summary).
    CHECK(f.transport.sent[2].headers ==
          kpg::kube::HttpHeaders{ { "Accept", "application/json;as=PartialObjectMetadataList;"
                                              "g=meta.k8s.io;v=v1,application/json" } });
    CHECK(f.transport.sent[0].headers.empty());
    const auto listed = json::parse(f.out.str());
    REQUIRE(listed["items"].size() == 2);
    CHECK(listed["items"][0]["created"] == "2026-11-16T16:50:01Z");
    CHECK(listed["items"][0]["namespace"] == "db");
    CHECK(listed["items"][0]["leader"] == "orders-0");
    CHECK(listed["items"][0]["health"] == "healthy");
    CHECK(listed["items"][1]["name"] == "carts");
    CHECK(listed["items"][1]["health"] == "degraded");
    CHECK(f.ctx.exit_code == kpg::ExitCode::ok);
  }

  SUBCASE("pages are followed with the continue token")
  {
    auto first = json::parse(
      list_reply({ workload("StatefulSet", "orders", 3, 3, "database", "spilo:1") }).response.body);
    first["metadata"]["continue"] = "page2";
    f.transport.replies.push_back(kpg::test::reply(200, first.dump()));
    f.transport.replies.push_back(
      list_reply({ workload("StatefulSet", "carts", 3, 3, "database", "spilo:1", "db", "carts") }));
    f.transport.replies.push_back(list_reply({}));
    f.transport.replies.push_back(list_reply({}));
    kpg::cmd::run_list({ .output = "name" }, f.client, "db", f.ctx);
    CHECK(f.paths()[1] == "GET /apis/apps/v1/namespaces/db/statefulsets?labelSelector=app."
                          "kubernetes.io%2Fmanaged-by%3Dkubectl-pg&limit=5000&continue=page2");
    CHECK(f.out.str() == "cluster/carts\ncluster/orders\n");
  }

  SUBCASE("none: a note on stderr for a table, an empty list for JSON")
  {
    for (int i = 0; i < 6; ++i) {
      f.transport.replies.push_back(list_reply({}));
    }
    kpg::cmd::run_list({}, f.client, "db", f.ctx);
    CHECK(f.out.str().empty());
    CHECK(f.err.str() == "No clusters found in db namespace.\n");
    kpg::cmd::run_list({ .output = "json" }, f.client, "db", f.ctx);
    CHECK(json::parse(f.out.str())["items"].empty());
  }

  SUBCASE("refused credentials: exit code 4")
  {
    f.transport.replies.push_back(kpg::test::reply(
      403,
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"statefulsets.apps is forbidden: User \"u\" cannot list resource \"statefulsets\" in API group \"apps\" at the cluster scope","reason":"Forbidden","code":403})",
      { { "Content-Type", "application/json" } }));
    try {
      kpg::cmd::run_list({ .all_namespaces = true }, f.client, "db", f.ctx);
      FAIL("no error");
    } catch (const kpg::Error& e) {
      CHECK(e.code() == kpg::ExitCode::unreachable);
      CHECK(e.format() == kpg::MessageFormat::kubectl);
      CHECK(kpg::error_line(e).starts_with(
        "Error from server (Forbidden): while listing the statefulsets.apps kubectl-pg manages in "
        "all namespaces: "));
    }
  }
}
