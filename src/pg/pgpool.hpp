#pragma once
// pgpool-II's view of its backends: `SHOW pool_nodes`, run through a pgpool
// pod with psql (psql_output.hpp). Columns as pgpool-II 4.3+ prints them
// (SHOW_POOL_NODES(1)): node_id, hostname, port, status, pg_status, lb_weight,
// role, pg_role, select_cnt, load_balance_node, replication_delay,
// replication_state, replication_sync_state, last_status_change. Columns an
// older pgpool lacks (pg_status, pg_role before 4.3) read as "".

#include "core/expected.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::pg {

inline constexpr std::string_view k_pool_nodes_query = "SHOW pool_nodes";

struct PoolNode
{
  std::int64_t node_id = 0;
  std::string hostname; // the backend: here the primary or replica Service's DNS name
  std::int64_t port = 0;
  std::string status;    // pgpool's view: "up", "waiting", "down", "quarantine", "unused"
  std::string pg_status; // the backend answered pgpool's ping: "up", "down", "unknown"
  double lb_weight = 0;  // load-balance weight, normalised to 0..1
  std::string role;      // pgpool's view: "primary" or "standby"
  std::string pg_role;   // the backend's own: "primary" or "standby"
  std::uint64_t select_count = 0;
  bool load_balance_node = false;
  // Bytes the standby is behind (or seconds when delay_threshold_by_time is
  // set), as pgpool prints it; "" when pgpool does not check (sr_check_period 0).
  std::string replication_delay;
  std::string replication_state;      // "streaming", ... ("" for the primary)
  std::string replication_sync_state; // "async", "sync", ...
  std::string last_status_change;     // "2026-11-21 16:50:01" (pgpool's local time)

  // pgpool sends queries to it: status "up" or "waiting" (up, no connection yet).
  bool is_up() const
  {
    return status == "up" || status == "waiting";
  }
};

// The error names the field: `row 2, port: expected an integer, got "x"`.
Expected<std::vector<PoolNode>, std::string> parse_pool_nodes(std::string_view psql_output);

} // namespace kpg::pg
