#include "cluster_scenario.hpp"
#include "pg/patroni_dcs.hpp"

#include <doctest/doctest.h>

using kpg::pg::MemberRole;
using kpg::test::member_data;
using kpg::test::member_pod;
using kpg::test::patroni_config_maps;
using kpg::test::pod;
using kpg::test::with_member_data;

// Designated initializers leave the other DcsSpec fields at their defaults on
// purpose; GCC 12's -Wextra warns about every field left out.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {

// orders-0 (the leader's data), orders-1 at 0/3800148 and streaming, orders-2
// without data (Patroni not started there).
std::vector<nlohmann::json> member_pods()
{
  auto primary_data = member_data("10.244.0.11", "master", 4, 83886408);
  primary_data["pending_restart"] = true;
  return { with_member_data(pod(member_pod("orders-1", "10.244.0.12", "node-2", "replica")),
                            member_data("10.244.0.12", "replica", 4, 58720584, "streaming")),
           with_member_data(pod(member_pod("orders-0", "10.244.0.11", "node-1", "master")),
                            primary_data),
           pod(member_pod("orders-2", "10.244.0.13", "node-3", "")) };
}

} // namespace

TEST_CASE("read_patroni_dcs")
{
  SUBCASE("the lock holder leads; lag is the leader's optime minus xlog_location")
  {
    auto read = kpg::pg::read_patroni_dcs("orders", patroni_config_maps({}), member_pods());
    REQUIRE(read);
    REQUIRE(*read);
    const auto& cluster = **read;
    REQUIRE(cluster.members.size() == 3);
    const auto& leader = cluster.members[0]; // sorted by name
    CHECK(leader.name == "orders-0");
    CHECK(leader.role == MemberRole::leader);
    CHECK(leader.state == "running");
    CHECK(leader.timeline == 4);
    CHECK(leader.lsn->str() == "0/5000148");
    CHECK_FALSE(leader.lag_bytes);
    CHECK(leader.pending_restart);
    CHECK(cluster.leader() == &leader);
    const auto& replica = cluster.members[1];
    CHECK(replica.role == MemberRole::replica);
    CHECK(replica.state == "streaming");
    CHECK(replica.lsn->str() == "0/3800148");
    CHECK(replica.lag_bytes == std::uint64_t{ 25165824 });
    CHECK_FALSE(replica.pending_restart);
    const auto& silent = cluster.members[2];
    CHECK(silent.role == MemberRole::replica);
    CHECK(silent.state.empty());
    CHECK_FALSE(silent.timeline);
    CHECK_FALSE(silent.lag_bytes); // no position: unknown, as Patroni says
    CHECK_FALSE(cluster.paused);
    REQUIRE(cluster.history);
    CHECK(*cluster.history == kpg::test::read_fixture("patroni/history.json"));
  }
  SUBCASE("the sync state's standbys, maintenance mode, a standby cluster")
  {
    auto read = kpg::pg::read_patroni_dcs(
      "orders",
      patroni_config_maps(
        { .sync_standby = "orders-1, orders-2",
          .config = { { "pause", true }, { "standby_cluster", { { "host", "upstream" } } } },
          .history = "" }),
      member_pods());
    REQUIRE(read);
    REQUIRE(*read);
    const auto& cluster = **read;
    CHECK(cluster.members[0].role == MemberRole::standby_leader);
    CHECK(cluster.members[1].role == MemberRole::sync_standby);
    CHECK(cluster.members[2].role == MemberRole::sync_standby);
    CHECK(cluster.paused);
    CHECK_FALSE(cluster.history);
  }
  SUBCASE("no lock holder: no leader, and the labels are not believed")
  {
    auto read =
      kpg::pg::read_patroni_dcs("orders", patroni_config_maps({ .leader = "" }), member_pods());
    REQUIRE(read);
    REQUIRE(*read);
    CHECK((*read)->leader() == nullptr);
    CHECK((*read)->members[0].role == MemberRole::replica);
    CHECK(kpg::pg::leader_lock_holder("orders", patroni_config_maps({ .leader = "" })).empty());
    CHECK(kpg::pg::leader_lock_holder("orders", patroni_config_maps({})) == "orders-0");
  }
  SUBCASE("another cluster's ConfigMaps, or none: Patroni has not started")
  {
    auto read = kpg::pg::read_patroni_dcs("invoices", patroni_config_maps({}), member_pods());
    REQUIRE(read);
    CHECK_FALSE(*read);
    CHECK(kpg::pg::leader_lock_holder("invoices", patroni_config_maps({})).empty());
    auto none = kpg::pg::read_patroni_dcs("orders", {}, member_pods());
    REQUIRE(none);
    CHECK_FALSE(*none);
  }
  SUBCASE("errors name the object, the annotation and the field")
  {
    auto pods = member_pods();
    pods[0]["metadata"]["annotations"]["status"] = R"({"state": "running", "timeline": "4"})";
    auto wrong_type = kpg::pg::read_patroni_dcs("orders", patroni_config_maps({}), pods);
    REQUIRE_FALSE(wrong_type);
    CHECK(wrong_type.error() ==
          "pod orders-1, annotation status: timeline: expected an integer, got \"4\"");
    auto maps = patroni_config_maps({});
    maps[0]["metadata"]["annotations"]["config"] = "{pause";
    auto not_json = kpg::pg::read_patroni_dcs("orders", maps, member_pods());
    REQUIRE_FALSE(not_json);
    CHECK(not_json.error() ==
          "ConfigMap orders-config, annotation config: not valid JSON at byte 2");
  }
}
