#include "cluster_scenario.hpp"
#include "cmd/status.hpp"
#include "cmd_fakes.hpp"
#include "core/error.hpp"

#include <doctest/doctest.h>

#include <algorithm>

// Designated initializers leave the other flags at their defaults on purpose;
// GCC 12's -Wextra warns about every field left out.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using kpg::ExitCode;
using kpg::PauseEnd;
using kpg::cmd::StatusOptions;
using kpg::cmd::validate_status_options;
using kpg::cmd::WatchGoal;
using kpg::test::list_reply;
using kpg::test::read_fixture;
using kpg::test::reply;
using nlohmann::json;

namespace {

std::string usage_error(const StatusOptions& options)
{
  return kpg::test::usage_error_of(validate_status_options, options);
}

kpg::test::FakeReply patroni_reply(const std::string& fixture)
{
  return reply(200, read_fixture(fixture), { { "Content-Type", "application/json" } });
}

struct StatusFixture : kpg::test::CommandFixture
{
  kpg::test::FakeSqlRunner sql;
  kpg::test::ScriptedPause pause{ clock };
  kpg::cmd::StatusTargets targets{ client, "db", sql, &pause };

  // The answers to the seven LISTs of one read of `inputs`.
  void queue_lists(const kpg::pg::StatusInputs& inputs)
  {
    const std::vector<json> statefulsets{ inputs.statefulset };
    const std::vector<json> deployments{ inputs.pgpool_deployment };
    for (const auto* items :
         { &statefulsets, &deployments, &inputs.pods, &inputs.services, &inputs.endpoint_slices,
           &inputs.volume_claims, &inputs.config_maps }) {
      transport.replies.push_back(list_reply(*items));
    }
  }

  // The answers to one read of `inputs`: the LISTs, then each member's /patroni.
  void queue_read(const kpg::pg::StatusInputs& inputs)
  {
    queue_lists(inputs);
    transport.replies.push_back(patroni_reply("patroni/node_primary_v3.json"));
    transport.replies.push_back(patroni_reply("patroni/node_replica_v3.json"));
    transport.replies.push_back(patroni_reply("patroni/node_replica_v3.json"));
  }

  kpg::cmd::StatusSettings settings(StatusOptions options)
  {
    options.name = "orders";
    return validate_status_options(options);
  }
};

// orders-2 Running but not ready: degraded (PodNotReady).
kpg::pg::StatusInputs degraded_inputs()
{
  auto in = kpg::test::healthy_inputs();
  auto spec = kpg::test::member_pod("orders-2", "10.244.0.13", "node-3", "replica");
  spec.ready = false;
  in.pods[1] = kpg::test::pod(spec);
  return in;
}

std::vector<std::string> reasons(const json& report)
{
  std::vector<std::string> result;
  for (const auto& problem : report["problems"]) {
    result.push_back(problem["severity"].get<std::string>() + " " +
                     problem["reason"].get<std::string>());
  }
  return result;
}

} // namespace

TEST_CASE("validate_status_options")
{
  SUBCASE("defaults")
  {
    const auto settings = validate_status_options({ .name = "orders" });
    CHECK(settings.format == kpg::ui::OutputFormat::table);
    CHECK_FALSE(settings.watch);
    CHECK(settings.interval == std::chrono::seconds(2));
    CHECK(settings.until == WatchGoal::none);
    CHECK(settings.thresholds.max_lag_bytes == 1048576);
  }
  SUBCASE("watch flags")
  {
    const auto settings = validate_status_options({ .name = "orders",
                                                    .output = "json",
                                                    .watch = true,
                                                    .interval = "500ms",
                                                    .until = "healthy",
                                                    .timeout = "2m",
                                                    .lag_threshold = "16Mi" });
    CHECK(settings.format == kpg::ui::OutputFormat::json);
    CHECK(settings.interval == std::chrono::milliseconds(500));
    CHECK(settings.timeout == std::chrono::minutes(2));
    CHECK(settings.until == WatchGoal::healthy);
    CHECK(settings.thresholds.max_lag_bytes == 16777216);
  }
  SUBCASE("errors")
  {
    CHECK(usage_error({ .name = "x", .output = "xml" }) ==
          "invalid output format \"xml\" (-o/--output): allowed values are table, wide, yaml, "
          "json, name");
    CHECK(usage_error({ .name = "x", .until = "healthy" }) ==
          "--interval, --until and --timeout apply to --watch: add --watch");
    CHECK(usage_error({ .name = "x", .timeout = "1m" }) ==
          "--interval, --until and --timeout apply to --watch: add --watch");
    CHECK(usage_error({ .name = "x", .watch = true, .until = "ready" }) ==
          "invalid --until \"ready\": allowed values are healthy, degraded");
    CHECK(usage_error({ .name = "x", .watch = true, .interval = "soon" }) ==
          "invalid --interval \"soon\": write 0, whole seconds, or a duration such as 500ms, "
          "30s, 2m or 1m30s");
    CHECK(usage_error({ .name = "x", .watch = true, .interval = "50ms" }) ==
          "invalid --interval \"50ms\": at least 100ms between refreshes");
    CHECK(usage_error({ .name = "x", .lag_threshold = "1.5" }) ==
          "invalid --lag-threshold \"1.5\": write a whole number of bytes, plain or as a "
          "quantity (1048576, 1Mi, 16Mi, 1Gi)");
    CHECK(usage_error({ .name = "x", .lag_threshold = "-1Mi" }) ==
          "invalid --lag-threshold \"-1Mi\": write a whole number of bytes, plain or as a "
          "quantity (1048576, 1Mi, 16Mi, 1Gi)");
  }
}

TEST_CASE("run_status")
{
  StatusFixture f;

  SUBCASE("a healthy cluster, without exec: one notice, exit code 0")
  {
    f.sql.unavailable = "exec is not available";
    f.queue_read(kpg::test::healthy_inputs());
    kpg::cmd::run_status("orders", f.settings({ .output = "json" }), f.targets, f.ctx);
    const std::string selector =
      "labelSelector=app.kubernetes.io%2Finstance%3Dorders%2Capp.kubernetes.io%2Fmanaged-by%"
      "3Dkubectl-pg&limit=500";
    const std::string by_name_and_instance = "labelSelector=app.kubernetes.io%2Fname%3Dpostgresql%"
                                             "2Capp.kubernetes.io%2Finstance%3Dorders&limit=500";
    CHECK(f.paths() == std::vector<std::string>{
                         "GET /apis/apps/v1/namespaces/db/statefulsets?" + selector,
                         "GET /apis/apps/v1/namespaces/db/deployments?" + selector,
                         "GET /api/v1/namespaces/db/pods?" + selector,
                         "GET /api/v1/namespaces/db/services?" + selector,
                         "GET /apis/discovery.k8s.io/v1/namespaces/db/endpointslices?" + selector,
                         "GET /api/v1/namespaces/db/persistentvolumeclaims?" + by_name_and_instance,
                         "GET /api/v1/namespaces/db/configmaps?" + by_name_and_instance,
                         "GET /api/v1/namespaces/db/pods/orders-0:8008/proxy/patroni",
                         "GET /api/v1/namespaces/db/pods/orders-1:8008/proxy/patroni",
                         "GET /api/v1/namespaces/db/pods/orders-2:8008/proxy/patroni" });
    CHECK(f.transport.sent[7].timeout == std::chrono::seconds(2));
    const auto report = json::parse(f.out.str());
    CHECK(report["health"] == "healthy");
    CHECK(report["leader"] == "orders-0");
    CHECK(report["members"].size() == 3);
    CHECK(reasons(report) == std::vector<std::string>{ "notice SqlUnavailable" });
    CHECK(f.sql.ran.empty());
    CHECK(f.ctx.exit_code == ExitCode::ok);
  }

  SUBCASE("with SQL: pg_stat_replication on the leader, SHOW pool_nodes on each pgpool pod")
  {
    f.sql.answers.emplace("orders-0", read_fixture("psql/stat_replication.txt"));
    f.sql.answers.emplace("orders-pgpool-7d9f8-abcde", read_fixture("psql/pool_nodes.txt"));
    f.sql.answers.emplace("orders-pgpool-7d9f8-fghij", read_fixture("psql/pool_nodes.txt"));
    f.queue_read(kpg::test::healthy_inputs());
    // The fixture's orders-2 is 24 MiB behind: lagging at the default 1 MiB, not at 32 MiB.
    kpg::cmd::run_status("orders", f.settings({ .output = "json", .lag_threshold = "32Mi" }),
                         f.targets, f.ctx);
    // The three run concurrently: in any order.
    REQUIRE(f.sql.ran.size() == 3);
    std::vector<std::string> ran;
    for (const auto& command : f.sql.ran) {
      ran.push_back(command.pod + " " + command.container);
    }
    std::sort(ran.begin(), ran.end());
    CHECK(ran == std::vector<std::string>{ "orders-0 postgres", "orders-pgpool-7d9f8-abcde pgpool",
                                           "orders-pgpool-7d9f8-fghij pgpool" });
    const auto report = json::parse(f.out.str());
    CHECK(report["health"] == "healthy");
    CHECK(report["problems"].empty());
    CHECK(report["members"][2]["lagBytes"] == 25165824);
    CHECK(report["pgpool"][0]["backends"].size() == 2);
  }

  SUBCASE("a member not ready: degraded, exit code 3")
  {
    f.sql.unavailable = "no exec";
    f.queue_read(degraded_inputs());
    kpg::cmd::run_status("orders", f.settings({}), f.targets, f.ctx);
    CHECK(f.out.str().find("PodNotReady") != std::string::npos);
    CHECK(f.ctx.exit_code == ExitCode::degraded);
  }

  SUBCASE("Patroni hung on the leader: the leader lock still names it, SQL still runs there")
  {
    f.sql.answers.emplace("orders-0", read_fixture("psql/stat_replication.txt"));
    f.sql.answers.emplace("orders-pgpool-7d9f8-abcde", read_fixture("psql/pool_nodes.txt"));
    f.sql.answers.emplace("orders-pgpool-7d9f8-fghij", read_fixture("psql/pool_nodes.txt"));
    f.queue_lists(kpg::test::healthy_inputs());
    f.transport.replies.push_back(
      kpg::test::transport_failure(kpg::kube::TransportErrorKind::timeout));
    f.transport.replies.push_back(patroni_reply("patroni/node_replica_v3.json"));
    f.transport.replies.push_back(patroni_reply("patroni/node_replica_v3.json"));
    kpg::cmd::run_status("orders", f.settings({ .output = "json", .lag_threshold = "32Mi" }),
                         f.targets, f.ctx);
    CHECK(f.paths().size() == 10); // the LISTs and GET /patroni: nothing more asked of Patroni
    const auto report = json::parse(f.out.str());
    CHECK(report["leader"] == "orders-0");
    CHECK(report["members"][0]["role"] == "leader");
    CHECK(reasons(report) == std::vector<std::string>{ "warning PatroniUnreadable" });
    CHECK(report["members"][0]["patroniError"].get<std::string>().starts_with(
      "could not read Patroni's status of member orders-0"));
  }

  SUBCASE("no such cluster: exit code 1, and the kept volumes are named")
  {
    auto in = kpg::test::healthy_inputs();
    for (int i = 0; i < 5; ++i) {
      f.transport.replies.push_back(list_reply({}));
    }
    f.transport.replies.push_back(list_reply(in.volume_claims));
    f.transport.replies.push_back(list_reply({}));
    try {
      kpg::cmd::run_status("orders", f.settings({}), f.targets, f.ctx);
      FAIL("no error");
    } catch (const kpg::Error& e) {
      CHECK(e.code() == ExitCode::failure);
      CHECK(std::string(e.what()) ==
            "cluster \"orders\" not found in namespace \"db\": no StatefulSet, Deployment or pod "
            "is labelled app.kubernetes.io/instance=orders,app.kubernetes.io/managed-by=kubectl-pg"
            "; its 3 PersistentVolumeClaims remain (kept by kubectl pg delete; `kubectl pg delete "
            "orders --delete-data` removes them). `kubectl pg list -A` lists the clusters "
            "kubectl-pg manages");
    }
    CHECK(f.transport.sent.size() == 7);
  }

  SUBCASE("a LIST that fails: exit code 4")
  {
    f.transport.replies.push_back(
      kpg::test::transport_failure(kpg::kube::TransportErrorKind::connection_refused));
    try {
      kpg::cmd::run_status("orders", f.settings({}), f.targets, f.ctx);
      FAIL("no error");
    } catch (const kpg::Error& e) {
      CHECK(e.code() == ExitCode::unreachable);
      CHECK(
        std::string(e.what()).starts_with("listing the statefulsets.apps of cluster db/orders: "));
    }
  }
}

TEST_CASE("run_status --watch")
{
  StatusFixture f;
  f.sql.unavailable = "no exec";

  SUBCASE("not a terminal: a report per change, Ctrl-C ends with 130")
  {
    f.queue_read(kpg::test::healthy_inputs());
    f.queue_read(kpg::test::healthy_inputs());
    f.queue_read(degraded_inputs());
    f.pause.ends = { PauseEnd::elapsed, PauseEnd::elapsed };
    kpg::cmd::run_status("orders", f.settings({ .output = "json", .watch = true }), f.targets,
                         f.ctx);
    CHECK(f.transport.replies.empty());
    CHECK(f.pause.pauses.size() == 3);
    CHECK(f.pause.pauses[0] == std::chrono::seconds(2));
    // Two documents: the second read changed nothing.
    std::istringstream documents(f.out.str());
    json first;
    json second;
    documents >> first >> second >> std::ws;
    CHECK(documents.eof());
    CHECK(first["health"] == "healthy");
    CHECK(second["health"] == "degraded");
    CHECK(f.ctx.exit_code == ExitCode::interrupted);
  }

  SUBCASE("--until healthy ends on the first healthy read")
  {
    f.queue_read(degraded_inputs());
    f.queue_read(kpg::test::healthy_inputs());
    f.pause.ends = { PauseEnd::elapsed };
    kpg::cmd::run_status("orders", f.settings({ .watch = true, .until = "healthy" }), f.targets,
                         f.ctx);
    CHECK(f.pause.pauses.size() == 1);
    CHECK(f.out.str().starts_with("Every 2s: kubectl pg status orders (2026-11-21T16:50:01Z)\n"));
    CHECK(f.out.str().find("Every 2s: kubectl pg status orders (2026-11-21T16:50:03Z)\n") !=
          std::string::npos);
    CHECK(f.ctx.exit_code == ExitCode::ok);
  }

  SUBCASE("--until healthy not reached within --timeout: exit code 6")
  {
    f.queue_read(degraded_inputs());
    f.queue_read(degraded_inputs());
    f.pause.ends = { PauseEnd::elapsed, PauseEnd::elapsed };
    try {
      kpg::cmd::run_status("orders",
                           f.settings({ .watch = true, .until = "healthy", .timeout = "3s" }),
                           f.targets, f.ctx);
      FAIL("no error");
    } catch (const kpg::Error& e) {
      CHECK(e.code() == ExitCode::timeout);
      CHECK(std::string(e.what()) ==
            "timed out after 3s waiting for cluster db/orders to be healthy: it is degraded "
            "(PodNotReady)");
    }
    CHECK(f.pause.pauses ==
          std::vector<kpg::Clock::Duration>{ std::chrono::seconds(2), std::chrono::seconds(1) });
  }

  SUBCASE("a later read that fails is reported and retried")
  {
    f.queue_read(kpg::test::healthy_inputs());
    f.transport.replies.push_back(
      kpg::test::transport_failure(kpg::kube::TransportErrorKind::connection_refused));
    f.queue_read(kpg::test::healthy_inputs());
    f.pause.ends = { PauseEnd::elapsed, PauseEnd::elapsed };
    kpg::cmd::run_status("orders", f.settings({ .output = "json", .watch = true }), f.targets,
                         f.ctx);
    CHECK(f.err.str().starts_with("2026-11-21T16:50:03Z listing the statefulsets.apps of "
                                  "cluster db/orders: "));
    CHECK(f.transport.replies.empty());
    CHECK(f.ctx.exit_code == ExitCode::interrupted);
  }
}
