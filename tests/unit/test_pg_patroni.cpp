#include "fixtures.hpp"
#include "pg/patroni.hpp"

#include <doctest/doctest.h>

using kpg::pg::MemberRole;
using kpg::pg::PostgresRole;
using kpg::test::read_fixture;

TEST_CASE("MemberRole")
{
  CHECK(kpg::pg::to_string(MemberRole::sync_standby) == "sync_standby");
  CHECK(kpg::pg::to_string(MemberRole::standby_leader) == "standby_leader");
  CHECK(kpg::pg::is_leader(MemberRole::leader));
  CHECK(kpg::pg::is_leader(MemberRole::standby_leader));
  CHECK_FALSE(kpg::pg::is_leader(MemberRole::sync_standby));
}

TEST_CASE("parse_patroni_node_status")
{
  SUBCASE("Patroni 4 primary")
  {
    auto node = kpg::pg::parse_patroni_node_status(read_fixture("patroni/node_primary_v4.json"));
    REQUIRE(node);
    CHECK(node->state == "running");
    CHECK(node->role == PostgresRole::primary);
    CHECK(node->postgres_version() == "16.4");
    CHECK(node->timeline == 4);
    REQUIRE(node->wal_location);
    CHECK(node->wal_location->str() == "0/5000148");
    CHECK_FALSE(node->replayed_location);
    REQUIRE(node->replication.size() == 2);
    CHECK(node->replication[0].application_name == "orders-1");
    CHECK(node->replication[0].state == "streaming");
    CHECK(node->replication[0].sync_state == "sync");
    CHECK(node->replication[0].sync_priority == 1);
    CHECK(node->replication[1].state == "catchup");
    CHECK(node->pending_restart);
    CHECK(node->patroni_version == "4.0.4");
    CHECK(node->scope == "orders");
    CHECK(node->postmaster_start_time == "2026-11-21 16:45:31.204115+00:00");
  }
  SUBCASE("Patroni 3.0 primary reports the role as master")
  {
    auto node = kpg::pg::parse_patroni_node_status(read_fixture("patroni/node_primary_v3.json"));
    REQUIRE(node);
    CHECK(node->role == PostgresRole::primary);
    CHECK(node->postgres_version() == "15.4");
    CHECK(node->patroni_version == "3.0.2");
  }
  SUBCASE("Patroni 3.0 replica: positions, no replication_state")
  {
    auto node = kpg::pg::parse_patroni_node_status(read_fixture("patroni/node_replica_v3.json"));
    REQUIRE(node);
    CHECK(node->role == PostgresRole::replica);
    CHECK(node->received_location->str() == "0/5000148");
    CHECK(node->replayed_location->str() == "0/3800148");
    CHECK(node->replayed_timestamp == "2026-11-21 16:49:58.102231+00:00");
    CHECK_FALSE(node->replay_paused);
    CHECK_FALSE(node->replication_state);
    CHECK_FALSE(node->sync_standby);
  }
  SUBCASE("Patroni 4 sync standby streaming")
  {
    auto node = kpg::pg::parse_patroni_node_status(read_fixture("patroni/node_replica_v4.json"));
    REQUIRE(node);
    CHECK(node->replication_state == "streaming");
    CHECK(node->sync_standby);
    CHECK_FALSE(node->replayed_timestamp); // null
  }
  SUBCASE("PostgreSQL stopped: no version, cluster unlocked")
  {
    auto node = kpg::pg::parse_patroni_node_status(read_fixture("patroni/node_stopped.json"));
    REQUIRE(node);
    CHECK(node->state == "stopped");
    CHECK(node->postgres_version().empty());
    CHECK(node->cluster_unlocked);
    CHECK_FALSE(node->timeline);
  }
  SUBCASE("a negative WAL position is an error")
  {
    auto node = kpg::pg::parse_patroni_node_status(R"({"xlog": {"location": -1}})");
    REQUIRE_FALSE(node);
    CHECK(node.error() ==
          "reading Patroni's GET /patroni response: xlog.location: expected a non-negative "
          "integer, got -1");
  }
}

TEST_CASE("parse_patroni_history")
{
  SUBCASE("timeline switches, oldest first")
  {
    auto history = kpg::pg::parse_patroni_history(read_fixture("patroni/history.json"));
    REQUIRE(history);
    REQUIRE(history->size() == 3);
    CHECK((*history)[0].timeline == 1);
    CHECK((*history)[0].lsn.str() == "0/186FD98");
    CHECK((*history)[0].new_leader.empty());
    CHECK(kpg::format_rfc3339_utc(*(*history)[0].time) == "2026-11-20T09:12:44Z");
    CHECK(kpg::format_rfc3339_utc(*(*history)[1].time) == "2026-11-21T16:40:12Z");
    const auto& last = history->back();
    CHECK(last.timeline == 3);
    CHECK(last.lsn.str() == "0/40000A0");
    CHECK(last.reason == "no recovery target specified");
    CHECK(kpg::format_rfc3339_utc(*last.time) == "2026-11-21T16:45:30Z");
    CHECK(last.new_leader == "orders-0");
  }
  SUBCASE("an entry without a time (from before Patroni 1.6)")
  {
    auto history = kpg::pg::parse_patroni_history(R"([[1, 100, "no recovery target specified"]])");
    REQUIRE(history);
    CHECK_FALSE(history->front().time);
  }
  SUBCASE("errors")
  {
    auto short_line = kpg::pg::parse_patroni_history("[[1, 100]]");
    REQUIRE_FALSE(short_line);
    CHECK(short_line.error() ==
          "reading Patroni's timeline history: [0]: expected [timeline, lsn, reason, "
          "time, leader], got [1,100]");
    auto bad_time = kpg::pg::parse_patroni_history(R"([[1, 100, "x", "yesterday"]])");
    REQUIRE_FALSE(bad_time);
    CHECK(bad_time.error() ==
          "reading Patroni's timeline history: [0][3]: invalid timestamp \"yesterday\": "
          "expected RFC 3339, e.g. \"2026-11-21T16:50:01Z\"");
  }
}
