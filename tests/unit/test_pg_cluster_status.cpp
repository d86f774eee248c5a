#include "cluster_scenario.hpp"
#include "pg/cluster_status.hpp"

#include <doctest/doctest.h>

#include <ostream>

// Designated initializers leave the other DcsSpec fields at their defaults on
// purpose; GCC 12's -Wextra warns about every field left out.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using kpg::pg::Health;
using kpg::pg::MemberRole;
using kpg::pg::Severity;
using kpg::test::member_data;
using kpg::test::member_pod;
using kpg::test::patroni_config_maps;
using kpg::test::pod;
using kpg::test::read_fixture;
using kpg::test::with_member_data;

namespace {

kpg::pg::ClusterStatus build(const kpg::pg::StatusInputs& inputs)
{
  return kpg::pg::build_cluster_status(inputs, kpg::pg::HealthThresholds{});
}

// "Reason: message" of every problem, in order.
std::vector<std::string> problems(const kpg::pg::ClusterStatus& status)
{
  std::vector<std::string> result;
  for (const auto& p : status.problems) {
    result.push_back(std::string(kpg::pg::to_string(p.severity)) + " " + p.reason + ": " +
                     p.message);
  }
  return result;
}

using Lines = std::vector<std::string>;

} // namespace

namespace doctest {
template<>
struct StringMaker<Lines>
{
  static String convert(const Lines& lines)
  {
    std::string text = "{";
    for (const auto& line : lines) {
      text += "\n  \"" + line + "\"";
    }
    return (text + "}").c_str();
  }
};
} // namespace doctest

TEST_CASE("build_cluster_status")
{
  auto inputs = kpg::test::healthy_inputs();

  SUBCASE("a healthy cluster")
  {
    const auto status = build(inputs);
    CHECK(status.health() == Health::healthy);
    CHECK(problems(status).empty());
    CHECK(status.members_desired == 3);
    CHECK(status.members_ready() == 3);
    CHECK(status.pgpool_desired == 2);
    CHECK(status.pgpool_ready() == 2);
    REQUIRE(status.members.size() == 3);
    CHECK(status.members[0].pod == "orders-0");
    CHECK(status.members[1].pod == "orders-1");
    CHECK(status.members[2].pod == "orders-2");
    REQUIRE(status.leader() == &status.members[0]);
    const auto& leader = status.members[0];
    CHECK(leader.role == MemberRole::leader);
    CHECK(leader.primary);
    CHECK(leader.node == "node-1");
    CHECK(leader.pod_ip == "10.244.0.11");
    CHECK(leader.timeline == 4);
    CHECK(leader.lsn->str() == "0/5000148");
    CHECK(leader.postgres_version == "15.4");
    CHECK(leader.patroni_version == "3.0.2");
    CHECK_FALSE(leader.streaming);
    const auto& replica = status.members[1];
    CHECK(replica.role == MemberRole::replica);
    CHECK_FALSE(replica.primary);
    CHECK(replica.streaming == true);
    CHECK(replica.sync_state == "async");
    CHECK(replica.lag_bytes == std::uint64_t{ 0 });
    CHECK_FALSE(replica.lag_seconds);
    CHECK(replica.lsn->str() == "0/3800148");
    CHECK_FALSE(status.members[2].lag_bytes); // Patroni: "unknown"
    REQUIRE(status.pgpool.size() == 2);
    CHECK(status.pgpool[0].pod == "orders-pgpool-7d9f8-abcde");
    CHECK(status.pgpool[0].backends.size() == 2);
    REQUIRE(status.services.size() == 4);
    CHECK(status.services[0].name == "orders");
    CHECK(status.services[0].ports == Lines{ "5432:30432/TCP" });
    CHECK(status.services[3].name == "orders-replica");
    CHECK(status.services[3].ready_endpoints == Lines{ "10.244.0.12:5432", "10.244.0.13:5432" });
    REQUIRE(status.volumes.size() == 3);
    CHECK(status.volumes[1].pod == "orders-1");
    CHECK(status.volumes[1].capacity == "10Gi");
    REQUIRE(status.last_failover);
    CHECK(status.last_failover->new_leader == "orders-0");
  }
  SUBCASE("pg_stat_replication gives lag in seconds and bytes, and sync state")
  {
    inputs.stat_replication = read_fixture("psql/stat_replication.txt");
    const auto status = build(inputs);
    CHECK(status.members[1].lag_bytes == std::uint64_t{ 0 });
    CHECK(status.members[1].lag_seconds == doctest::Approx(0.0));
    CHECK(status.members[1].sync_state == "sync");
    CHECK(status.members[2].lag_bytes == std::uint64_t{ 25165824 });
    CHECK(status.members[2].lag_seconds == doctest::Approx(2.5));
    CHECK(problems(status) ==
          Lines{ "warning ReplicaLagging: replica orders-2 is 24.0 MiB (25165824 bytes) behind "
                 "the leader (threshold 1.0 MiB)" });
    CHECK(status.health() == Health::degraded);
    const auto relaxed = kpg::pg::build_cluster_status(inputs, { .max_lag_bytes = 32 << 20 });
    CHECK(relaxed.health() == Health::healthy);
  }
  SUBCASE("Patroni 4: sync standby, pending restart and maintenance mode are notices")
  {
    // orders-1 the synchronous standby; orders-2 24 MiB behind the leader's optime
    inputs.config_maps =
      patroni_config_maps({ .sync_standby = "orders-1", .config = { { "pause", true } } });
    inputs.pods[1] =
      with_member_data(pod(member_pod("orders-2", "10.244.0.13", "node-3", "replica")),
                       member_data("10.244.0.13", "replica", 4, 58720584, "streaming"));
    inputs.patroni_nodes.clear();
    inputs.patroni_nodes.emplace("orders-0", read_fixture("patroni/node_primary_v4.json"));
    inputs.patroni_nodes.emplace("orders-1", read_fixture("patroni/node_replica_v4.json"));
    const auto status = build(inputs);
    CHECK(status.members[1].role == MemberRole::sync_standby);
    CHECK(status.members[1].postgres_version == "16.4");
    CHECK(status.paused);
    CHECK(problems(status) ==
          Lines{ "warning ReplicaNotStreaming: replica orders-2 is not streaming from the "
                 "leader (the leader's walsenders (Patroni): catchup)",
                 "warning ReplicaLagging: replica orders-2 is 24.0 MiB (25165824 bytes) behind "
                 "the leader (threshold 1.0 MiB)",
                 "notice PendingRestart: member orders-0 has a pending restart: changed "
                 "PostgreSQL parameters apply after it restarts",
                 "notice MaintenanceMode: Patroni is paused (maintenance mode): it will not "
                 "fail over" });
  }
  SUBCASE("pending restart: the member's own GET /patroni wins over the DCS's older copy")
  {
    auto data = member_data("10.244.0.11", "master", 4, 83886408);
    data["pending_restart"] = true;
    inputs.pods[0] =
      with_member_data(pod(member_pod("orders-0", "10.244.0.11", "node-1", "master")), data);
    const auto status = build(inputs); // GET /patroni of orders-0 (v3): not pending
    CHECK_FALSE(status.members[0].pending_restart);
    inputs.patroni_nodes.erase("orders-0");
    CHECK(build(inputs).members[0].pending_restart); // no GET /patroni: the DCS's word
  }
  SUBCASE("just promoted: the member's own timeline wins over the DCS's older copy")
  {
    inputs.patroni_nodes.erase("orders-0");
    inputs.patroni_nodes.emplace("orders-0",
                                 std::string(R"({"state": "running", "role": "primary", )"
                                             R"("timeline": 5})"));
    const auto status = build(inputs); // the DCS: timeline 4
    CHECK(status.members[0].role == MemberRole::leader);
    CHECK(status.members[0].timeline == 5);
  }
  SUBCASE("no leader")
  {
    inputs.config_maps = patroni_config_maps({ .leader = "" });
    inputs.patroni_nodes.clear();
    inputs.pods[0] = pod(member_pod("orders-0", "10.244.0.11", "node-1", "replica"));
    const auto status = build(inputs);
    CHECK(status.leader() == nullptr);
    CHECK(problems(status) ==
          Lines{ "warning NoLeader: no leader: no member holds Patroni's leader lock, so writes "
                 "fail until one is elected" });
  }
  SUBCASE("two members run as primary: split brain")
  {
    inputs.patroni_nodes.erase("orders-2");
    inputs.patroni_nodes.emplace("orders-2", read_fixture("patroni/node_primary_v4.json"));
    const auto status = build(inputs);
    CHECK(problems(status) ==
          Lines{ "warning MultipleLeaders: 2 members act as leader: orders-0, orders-2 (split "
                 "brain: writes may land on either)",
                 "notice PendingRestart: member orders-2 has a pending restart: changed "
                 "PostgreSQL parameters apply after it restarts" });
  }
  SUBCASE("a diverged timeline, a replica that is not streaming, a pod not ready")
  {
    inputs.pods[0] =
      with_member_data(pod(member_pod("orders-0", "10.244.0.11", "node-1", "master")),
                       member_data("10.244.0.11", "master", 5, 83886408));
    inputs.pods[2] =
      with_member_data(pod(member_pod("orders-1", "10.244.0.12", "node-2", "replica")),
                       member_data("10.244.0.12", "replica", 5, 83886408));
    inputs.patroni_nodes.erase("orders-1"); // the DCS's word alone
    inputs.patroni_nodes.erase("orders-0");
    inputs.patroni_nodes.emplace(
      "orders-0", std::string(R"({"state": "running", "role": "primary", "timeline": 5, )"
                              R"("replication": [{"application_name": "orders-1", "state": )"
                              R"("streaming", "sync_state": "async"}]})"));
    auto crashing = member_pod("orders-2", "10.244.0.13", "node-3", "replica");
    crashing.ready = false;
    crashing.restarts = 4;
    crashing.waiting_reason = "CrashLoopBackOff";
    inputs.pods[1] =
      with_member_data(pod(crashing), member_data("10.244.0.13", "replica", 4, -1, "starting"));
    const auto status = build(inputs);
    CHECK(problems(status) ==
          Lines{ "warning PodNotReady: member pod orders-2 is not ready: CrashLoopBackOff (4 "
                 "restarts)",
                 "warning TimelineDiverged: member orders-2 is on timeline 4, the leader "
                 "orders-0 on timeline 5",
                 "warning ReplicaNotStreaming: replica orders-2 is not streaming from the "
                 "leader (not among the leader's walsenders (Patroni))" });
  }
  SUBCASE("missing pods, unreachable Patroni and pgpool, a backend down")
  {
    inputs.pods.erase(inputs.pods.begin() + 1); // orders-2
    inputs.pods.pop_back();                     // a pgpool pod
    inputs.patroni_nodes.erase("orders-2");
    inputs.patroni_nodes.erase("orders-1");
    inputs.patroni_nodes.emplace(
      "orders-1", kpg::unexpected(std::string("pods/proxy: 503 Service Unavailable")));
    inputs.pool_nodes.clear();
    inputs.pool_nodes.emplace("orders-pgpool-7d9f8-abcde",
                              read_fixture("psql/pool_nodes_down.txt"));
    const auto status = build(inputs);
    CHECK(status.members[1].patroni_error ==
          "could not read Patroni's status of member orders-1 (GET /patroni): pods/proxy: 503 "
          "Service Unavailable");
    CHECK(problems(status) ==
          Lines{ "warning PatroniUnreadable: could not read Patroni's status of member orders-1 "
                 "(GET /patroni): pods/proxy: 503 Service Unavailable",
                 "warning MembersMissing: only 2 of 3 member pods exist",
                 "warning PgpoolMissing: only 1 of 2 pgpool pods exist",
                 "warning PgpoolBackendDown: pgpool pod orders-pgpool-7d9f8-abcde sees backend "
                 "1 (orders-replica:5432) as down" });
  }
  SUBCASE("unreadable cluster view and pgpool output")
  {
    inputs.pods[2]["metadata"]["annotations"]["status"] = "{\"state\": ";
    inputs.pool_nodes.erase("orders-pgpool-7d9f8-fghij");
    inputs.pool_nodes.emplace("orders-pgpool-7d9f8-fghij", std::string("psql: error: timeout\n"));
    const auto status = build(inputs);
    // Roles come from GET /patroni when the DCS cannot be read.
    CHECK(status.members[0].role == MemberRole::leader);
    CHECK(status.members[1].role == MemberRole::replica);
    CHECK_FALSE(status.last_failover);
    CHECK(status.pgpool[1].error == "reading pgpool's SHOW pool_nodes: no column \"node_id\" in "
                                    "the header \"psql: error: timeout\"");
    CHECK(problems(status) ==
          Lines{ "warning PatroniUnreadable: could not read Patroni's cluster view from its "
                 "ConfigMaps and pod annotations: pod orders-1, annotation status: not valid "
                 "JSON at byte 11",
                 "warning PgpoolUnreadable: could not read the backends of pgpool pod "
                 "orders-pgpool-7d9f8-fghij: reading pgpool's SHOW pool_nodes: no column "
                 "\"node_id\" in the header \"psql: error: timeout\"" });
  }
  SUBCASE("an unreadable history is a notice")
  {
    inputs.config_maps = patroni_config_maps({ .history = "{}" });
    const auto status = build(inputs);
    CHECK(status.leader() == &status.members[0]);
    CHECK(status.health() == Health::healthy);
    CHECK(problems(status) ==
          Lines{ "notice HistoryUnreadable: could not read Patroni's failover history "
                 "(annotation history of ConfigMap orders-config): reading Patroni's timeline "
                 "history: document: expected an array, got {}" });
  }
  SUBCASE("nothing from Patroni: roles from the pods' role labels")
  {
    inputs.config_maps.clear();
    inputs.patroni_nodes.clear();
    const auto status = build(inputs);
    CHECK(status.members[0].role == MemberRole::leader);
    CHECK(status.members[0].primary);
    CHECK(status.members[2].role == MemberRole::replica);
    CHECK_FALSE(status.members[2].streaming);
    CHECK(status.health() == Health::healthy);
  }
  SUBCASE("Services without endpoints and PVCs not bound")
  {
    inputs.endpoint_slices[0] =
      kpg::test::endpoint_slice("orders-primary", {}, 5432, { "10.244.0.11" });
    inputs.endpoint_slices.pop_back(); // headless: never reported
    inputs.volume_claims[2] = kpg::test::volume_claim("pgdata-orders-2", "Pending", "");
    inputs.volume_claims[1] = kpg::test::volume_claim("pgdata-orders-1", "Lost");
    const auto status = build(inputs);
    CHECK(status.services[2].not_ready_endpoints == Lines{ "10.244.0.11:5432" });
    CHECK(problems(status) ==
          Lines{ "warning ServiceWithoutEndpoints: Service orders-primary has no ready "
                 "endpoints: clients connecting to it fail",
                 "warning VolumeLost: PVC pgdata-orders-1 is Lost: its PersistentVolume is gone",
                 "warning VolumePending: PVC pgdata-orders-2 is Pending: its member cannot start "
                 "until a volume is bound (check the default StorageClass)" });
  }
}
