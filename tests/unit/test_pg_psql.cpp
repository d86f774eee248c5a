#include "fixtures.hpp"
#include "pg/pgpool.hpp"
#include "pg/psql_output.hpp"
#include "pg/stat_replication.hpp"

#include <doctest/doctest.h>

using kpg::test::read_fixture;

TEST_CASE("parse_psql_unaligned")
{
  SUBCASE("header, rows, footer; NULL is empty")
  {
    auto table = kpg::pg::parse_psql_unaligned("a|b\n1|\n2|x\n(2 rows)\n");
    REQUIRE(table);
    CHECK(table->columns() == std::vector<std::string>{ "a", "b" });
    REQUIRE(table->size() == 2);
    CHECK(table->value(0, "b").empty());
    CHECK(table->value(1, "b") == "x");
    CHECK(table->value(1, "missing").empty());
    CHECK(table->integer(1, "a") == 2);
    CHECK_FALSE(table->integer(0, "b"));
  }
  SUBCASE("no footer, CRLF, one row")
  {
    auto table = kpg::pg::parse_psql_unaligned("a|b\r\n1|2\r\n");
    REQUIRE(table);
    CHECK(table->size() == 1);
    CHECK(table->value(0, "b") == "2");
    auto single = kpg::pg::parse_psql_unaligned("a\n7\n(1 row)\n");
    REQUIRE(single);
    CHECK(single->value(0, "a") == "7");
  }
  SUBCASE("no rows")
  {
    auto table = kpg::pg::parse_psql_unaligned("a|b\n(0 rows)\n");
    REQUIRE(table);
    CHECK(table->size() == 0);
  }
  SUBCASE("errors")
  {
    auto empty = kpg::pg::parse_psql_unaligned("\n");
    REQUIRE_FALSE(empty);
    CHECK(empty.error() == "no output: expected a header line of column names");
    auto ragged = kpg::pg::parse_psql_unaligned("a|b\n1|2|3\n");
    REQUIRE_FALSE(ragged);
    CHECK(ragged.error() == "line 2 has 3 fields, the header has 2");
    auto table = kpg::pg::parse_psql_unaligned("port|lsn\nx|1\n");
    REQUIRE(table);
    CHECK_THROWS_WITH_AS(table->integer(0, "port"), "row 1, port: expected an integer, got \"x\"",
                         kpg::pg::PsqlFieldError);
    CHECK_THROWS_WITH_AS(table->lsn(0, "lsn"),
                         "row 1, lsn: invalid LSN \"1\": expected two hexadecimal numbers of up "
                         "to 8 digits, e.g. \"16/B374D848\"",
                         kpg::pg::PsqlFieldError);
  }
}

TEST_CASE("parse_pool_nodes")
{
  SUBCASE("pgpool-II 4.3 columns")
  {
    auto nodes = kpg::pg::parse_pool_nodes(read_fixture("psql/pool_nodes.txt"));
    REQUIRE(nodes);
    REQUIRE(nodes->size() == 2);
    const auto& primary = (*nodes)[0];
    CHECK(primary.node_id == 0);
    CHECK(primary.hostname == "orders-primary");
    CHECK(primary.port == 5432);
    CHECK(primary.status == "up");
    CHECK(primary.pg_status == "up");
    CHECK(primary.lb_weight == doctest::Approx(0.5));
    CHECK(primary.role == "primary");
    CHECK(primary.pg_role == "primary");
    CHECK(primary.select_count == 12);
    CHECK_FALSE(primary.load_balance_node);
    CHECK(primary.replication_delay == "0");
    CHECK(primary.last_status_change == "2026-11-21 16:46:02");
    CHECK(primary.is_up());
    const auto& replica = (*nodes)[1];
    CHECK(replica.role == "standby");
    CHECK(replica.load_balance_node);
    CHECK(replica.select_count == 40);
  }
  SUBCASE("a backend down")
  {
    auto nodes = kpg::pg::parse_pool_nodes(read_fixture("psql/pool_nodes_down.txt"));
    REQUIRE(nodes);
    CHECK_FALSE((*nodes)[1].is_up());
    CHECK((*nodes)[1].pg_role == "unknown");
  }
  SUBCASE("pgpool-II 4.1 (no pg_status, pg_role)")
  {
    auto nodes = kpg::pg::parse_pool_nodes(
      "node_id|hostname|port|status|lb_weight|role|select_cnt|load_balance_node|replication_"
      "delay|replication_state|replication_sync_state|last_status_change\n"
      "0|/tmp|11002|waiting|0.500000|primary|0|false|0|||2019-04-22 13:19:52\n");
    REQUIRE(nodes);
    CHECK((*nodes)[0].pg_status.empty());
    CHECK((*nodes)[0].is_up());
  }
  SUBCASE("errors name the column or row")
  {
    auto not_pool_nodes = kpg::pg::parse_pool_nodes("a|b\n1|2\n");
    REQUIRE_FALSE(not_pool_nodes);
    CHECK(not_pool_nodes.error() ==
          "reading pgpool's SHOW pool_nodes: no column \"node_id\" in the header \"a|b\"");
    auto bad_port = kpg::pg::parse_pool_nodes(
      "node_id|hostname|port|status|role\n0|orders-primary|x|up|primary\n");
    REQUIRE_FALSE(bad_port);
    CHECK(bad_port.error() ==
          "reading pgpool's SHOW pool_nodes: row 1, port: expected an integer, got \"x\"");
    auto nothing = kpg::pg::parse_pool_nodes("");
    REQUIRE_FALSE(nothing);
    CHECK(nothing.error() ==
          "reading pgpool's SHOW pool_nodes: no output: expected a header line of column names");
  }
}

TEST_CASE("parse_stat_replication")
{
  SUBCASE("lags in seconds and bytes")
  {
    auto peers = kpg::pg::parse_stat_replication(read_fixture("psql/stat_replication.txt"));
    REQUIRE(peers);
    REQUIRE(peers->size() == 2);
    const auto& sync = (*peers)[0];
    CHECK(sync.application_name == "orders-1");
    CHECK(sync.state == "streaming");
    CHECK(sync.sync_state == "sync");
    CHECK_FALSE(sync.replay_lag_seconds); // NULL: idle and caught up
    CHECK(sync.replay_lag_bytes() == std::uint64_t{ 0 });
    const auto& lagging = (*peers)[1];
    CHECK(lagging.write_lsn->str() == "0/4000000");
    CHECK(lagging.flush_lsn->str() == "0/3C00000");
    CHECK(lagging.replay_lsn->str() == "0/3800148");
    CHECK(lagging.write_lag_seconds == doctest::Approx(1.204));
    CHECK(lagging.flush_lag_seconds == doctest::Approx(1.95));
    CHECK(lagging.replay_lag_seconds == doctest::Approx(2.5));
    CHECK(lagging.replay_lag_bytes() == std::uint64_t{ 25165824 });
  }
  SUBCASE("errors")
  {
    auto bad = kpg::pg::parse_stat_replication("application_name|replay_lsn\norders-1|zz\n");
    REQUIRE_FALSE(bad);
    CHECK(bad.error() ==
          "reading pg_stat_replication: row 1, replay_lsn: invalid LSN \"zz\": expected two "
          "hexadecimal numbers of up to 8 digits, e.g. \"16/B374D848\"");
    auto wrong = kpg::pg::parse_stat_replication("x\n1\n");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error() ==
          "reading pg_stat_replication: no column \"application_name\" in the header \"x\"");
  }
}
