#include "cluster_scenario.hpp"
#include "fake_clock.hpp"
#include "pg/status_report.hpp"

#include <doctest/doctest.h>

#include <sstream>

// Designated initializers leave the other DcsSpec fields at their defaults on
// purpose; GCC 12's -Wextra warns about every field left out.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using kpg::ui::OutputFormat;

namespace {

std::string print(const kpg::pg::ClusterStatus& status, OutputFormat format,
                  const kpg::ui::Palette& palette = kpg::ui::Palette())
{
  std::ostringstream out;
  const kpg::pg::StatusReport report(status, kpg::test::fixture_time());
  kpg::ui::print(out, report, format, palette);
  return out.str();
}

kpg::pg::StatusInputs inputs_with_lag()
{
  auto inputs = kpg::test::healthy_inputs();
  inputs.stat_replication = kpg::test::read_fixture("psql/stat_replication.txt");
  return inputs;
}

kpg::pg::ClusterStatus healthy()
{
  return kpg::pg::build_cluster_status(inputs_with_lag(), { .max_lag_bytes = 32 << 20 });
}

kpg::pg::ClusterStatus degraded()
{
  auto inputs = inputs_with_lag();
  inputs.pods.pop_back(); // a pgpool pod
  inputs.config_maps = kpg::test::patroni_config_maps({ .history = "" });
  inputs.volume_claims.pop_back();
  inputs.services.pop_back();
  return kpg::pg::build_cluster_status(inputs, kpg::pg::HealthThresholds{});
}

constexpr const char* k_healthy_summary =
  "Cluster\n"
  "  Name:           db/orders\n"
  "  Engine:         patroni\n"
  "  Health:         healthy\n"
  "  Leader:         orders-0 (timeline 4)\n"
  "  Members ready:  3/3\n"
  "  pgpool ready:   2/2\n"
  "  Last failover:  2026-11-21T16:45:30Z (4m30s ago), timeline 3 -> 4, promoted orders-0\n";

} // namespace

TEST_CASE("StatusReport::print_text")
{
  SUBCASE("table: summary, members, pgpool, services, storage")
  {
    CHECK(print(healthy(), OutputFormat::table) ==
          std::string(k_healthy_summary) +
            "\n"
            "Members\n"
            "POD        ROLE      STATE     TL   LAG        LAG TIME   VERSION   PENDING "
            "RESTART   READY\n"
            "orders-0   leader    running   4                          15.4                 "
            "       yes\n"
            "orders-1   replica   running   4    0 B        0.0s       15.4                 "
            "       yes\n"
            "orders-2   replica   running   4    24.0 MiB   2.5s       15.4                 "
            "       yes\n"
            "\n"
            "pgpool\n"
            "POD                         READY   BACKEND   ADDRESS               STATUS   PG "
            "STATUS   ROLE      PG ROLE   SELECTS\n"
            "orders-pgpool-7d9f8-abcde   yes     0         orders-primary:5432   up       up "
            "         primary   primary   12\n"
            "orders-pgpool-7d9f8-abcde   yes     1         orders-replica:5432   up       up "
            "         standby   standby   40\n"
            "orders-pgpool-7d9f8-fghij   yes     0         orders-primary:5432   up       up "
            "         primary   primary   12\n"
            "orders-pgpool-7d9f8-fghij   yes     1         orders-replica:5432   up       up "
            "         standby   standby   40\n"
            "\n"
            "Services\n"
            "NAME              TYPE        CLUSTER-IP   PORT(S)          ENDPOINTS\n"
            "orders            NodePort    10.96.0.10   5432:30432/TCP   "
            "10.244.0.21:5432,10.244.0.22:5432\n"
            "orders-headless   ClusterIP   None         5432/TCP         "
            "10.244.0.11:5432,10.244.0.12:5432,10.244.0.13:5432\n"
            "orders-primary    ClusterIP   10.96.0.11   5432/TCP         10.244.0.11:5432\n"
            "orders-replica    ClusterIP   10.96.0.12   5432/TCP         "
            "10.244.0.12:5432,10.244.0.13:5432\n"
            "\n"
            "Storage\n"
            "PVC               POD        STATUS   CAPACITY   STORAGECLASS\n"
            "pgdata-orders-0   orders-0   Bound    10Gi       standard\n"
            "pgdata-orders-1   orders-1   Bound    10Gi       standard\n"
            "pgdata-orders-2   orders-2   Bound    10Gi       standard\n");
  }
  SUBCASE("wide: node, IP, LSN, sync state, Patroni version, restarts")
  {
    const std::string text = print(healthy(), OutputFormat::wide);
    CHECK(text.find("POD        NODE     IP            ROLE      STATE     TL   LSN         LAG   "
                    "     LAG TIME   SYNC    VERSION   PATRONI   PENDING RESTART   READY   "
                    "RESTARTS\n"
                    "orders-0   node-1   10.244.0.11   leader    running   4    0/5000148         "
                    "                        15.4      3.0.2                       yes     0\n"
                    "orders-1   node-2   10.244.0.12   replica   running   4    0/5000148   0 B   "
                    "     0.0s       sync    15.4      3.0.2                       yes     0\n"
                    "orders-2   node-3   10.244.0.13   replica   running   4    0/3800148   24.0 "
                    "MiB   2.5s       async   15.4      3.0.2                       yes     0\n") !=
          std::string::npos);
    CHECK(
      text.find("PVC               POD        STATUS   CAPACITY   REQUESTED   STORAGECLASS\n") !=
      std::string::npos);
  }
  SUBCASE("degraded: problems last, warnings first")
  {
    const std::string text = print(degraded(), OutputFormat::table);
    CHECK(text.find("  Health:         degraded\n") != std::string::npos);
    CHECK(text.find("  pgpool ready:   1/2\n") != std::string::npos);
    CHECK(text.find("  Last failover:  <none recorded>\n") != std::string::npos);
    const std::string problems =
      "\nProblems\n"
      "WARNING: replica orders-2 is 24.0 MiB (25165824 bytes) behind the leader (threshold 1.0 "
      "MiB) [ReplicaLagging]\n"
      "WARNING: only 1 of 2 pgpool pods exist [PgpoolMissing]\n";
    REQUIRE(text.size() > problems.size());
    CHECK(text.substr(text.size() - problems.size()) == problems);
  }
  SUBCASE("colour only through the palette")
  {
    const std::string text =
      print(degraded(), OutputFormat::table, kpg::ui::Palette(kpg::ui::Palette::State::enabled));
    CHECK(text.find("  Health:         \x1b[33mdegraded\x1b[0m\n") != std::string::npos);
    CHECK(text.find("\x1b[33mWARNING:\x1b[0m only 1 of 2 pgpool pods exist") != std::string::npos);
    CHECK(print(degraded(), OutputFormat::table).find('\x1b') == std::string::npos);
  }
  SUBCASE("a pgpool pod whose backends could not be read")
  {
    auto inputs = inputs_with_lag();
    inputs.pool_nodes.erase("orders-pgpool-7d9f8-fghij");
    inputs.pool_nodes.emplace("orders-pgpool-7d9f8-fghij",
                              kpg::unexpected(std::string("exec: container not running")));
    const auto status = kpg::pg::build_cluster_status(inputs, { .max_lag_bytes = 32 << 20 });
    CHECK(print(status, OutputFormat::table)
            .find("orders-pgpool-7d9f8-fghij   yes                                     "
                  "unreadable\n") != std::string::npos);
  }
}

TEST_CASE("StatusReport::to_json")
{
  const auto document = nlohmann::json::parse(print(healthy(), OutputFormat::json));
  SUBCASE("top-level fields, in order")
  {
    std::vector<std::string> keys;
    const auto ordered = nlohmann::ordered_json::parse(print(healthy(), OutputFormat::json));
    for (const auto& [key, value] : ordered.items()) {
      keys.push_back(key);
    }
    CHECK(keys == std::vector<std::string>{ "kind", "schemaVersion", "namespace", "name", "engine",
                                            "health", "leader", "timeline", "paused",
                                            "membersDesired", "membersReady", "pgpoolDesired",
                                            "pgpoolReady", "lastFailover", "members", "pgpool",
                                            "services", "volumes", "problems" });
    CHECK(document["kind"] == "ClusterStatus");
    CHECK(document["schemaVersion"] == 1);
    CHECK(document["health"] == "healthy");
    CHECK(document["leader"] == "orders-0");
    CHECK(document["timeline"] == 4);
    CHECK(document["problems"] == nlohmann::json::array());
  }
  SUBCASE("units: bytes, seconds, LSN strings, RFC 3339 times")
  {
    CHECK(document["members"][2].dump() ==
          R"({"lagBytes":25165824,"lagSeconds":2.5,"lsn":"0/3800148","node":"node-3",)"
          R"("notReadyReason":null,"patroniError":null,"patroniVersion":"3.0.2",)"
          R"("pendingRestart":false,"pod":"orders-2","podIP":"10.244.0.13",)"
          R"("postgresVersion":"15.4","ready":true,"restarts":0,"role":"replica",)"
          R"("state":"running","streaming":true,"syncState":"async","timeline":4})");
    CHECK(document["members"][0]["lagBytes"].is_null());
    CHECK(document["members"][0]["streaming"].is_null());
    CHECK(document["lastFailover"].dump() ==
          R"({"lsn":"0/40000A0","newLeader":"orders-0","reason":"no recovery target )"
          R"(specified","time":"2026-11-21T16:45:30Z","timeline":4})");
  }
  SUBCASE("pgpool backends, services, volumes")
  {
    CHECK(document["pgpool"][0]["backends"][1].dump() ==
          R"({"hostname":"orders-replica","lastStatusChange":"2026-11-21 16:46:02",)"
          R"("lbWeight":0.5,"loadBalanceNode":true,"nodeId":1,"pgRole":"standby",)"
          R"("pgStatus":"up","port":5432,"replicationDelay":"0","replicationState":null,)"
          R"("replicationSyncState":null,"role":"standby","selectCount":40,"status":"up"})");
    CHECK(document["services"][0].dump() ==
          R"({"clusterIP":"10.96.0.10","name":"orders","notReadyEndpoints":[],)"
          R"("ports":["5432:30432/TCP"],"readyEndpoints":["10.244.0.21:5432",)"
          R"("10.244.0.22:5432"],"type":"NodePort"})");
    CHECK(document["volumes"][0].dump() ==
          R"({"capacity":"10Gi","name":"pgdata-orders-0","phase":"Bound","pod":"orders-0",)"
          R"("requested":"10Gi","storageClass":"standard"})");
  }
  SUBCASE("problems of a degraded cluster")
  {
    const auto bad = nlohmann::json::parse(print(degraded(), OutputFormat::json));
    CHECK(bad["health"] == "degraded");
    CHECK(bad["lastFailover"].is_null());
    CHECK(bad["problems"][1].dump() ==
          R"({"message":"only 1 of 2 pgpool pods exist","reason":"PgpoolMissing",)"
          R"("severity":"warning"})");
  }
  SUBCASE("yaml is the same document")
  {
    const std::string yaml = print(healthy(), OutputFormat::yaml);
    CHECK(yaml.rfind("kind: ClusterStatus\nschemaVersion: 1\nnamespace: db\nname: orders\n", 0) ==
          0);
    CHECK(yaml.find("    lagBytes: 25165824\n    lagSeconds: 2.5\n") != std::string::npos);
  }
  SUBCASE("name")
  {
    CHECK(print(healthy(), OutputFormat::name) == "cluster/orders\n");
  }
}
