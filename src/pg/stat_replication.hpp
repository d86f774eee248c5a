#pragma once
// The leader's view of its standbys: pg_stat_replication, run on the leader
// with psql (psql_output.hpp). Gives what Patroni's REST API does not: lag in
// seconds (write/flush/replay_lag intervals, PostgreSQL >= 10) and exact
// positions.
// https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-REPLICATION-VIEW

#include "core/expected.hpp"
#include "pg/lsn.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::pg {

// Lags as seconds (NULL when the standby is idle and caught up, or before the
// first measurement), positions as LSNs, plus the leader's own current position.
inline constexpr std::string_view k_stat_replication_query =
  "SELECT application_name, state, sync_state, sent_lsn, write_lsn, flush_lsn, replay_lsn,"
  " pg_current_wal_lsn() AS current_lsn,"
  " extract(epoch FROM write_lag) AS write_lag,"
  " extract(epoch FROM flush_lag) AS flush_lag,"
  " extract(epoch FROM replay_lag) AS replay_lag"
  " FROM pg_stat_replication ORDER BY application_name";

struct ReplicationPeer
{
  std::string application_name; // the standby's Patroni member name (its pod)
  std::string state;            // "streaming", "catchup", "startup", "backup", "stopping"
  std::string sync_state;       // "async", "sync", "potential", "quorum"
  std::optional<Lsn> sent_lsn;
  std::optional<Lsn> write_lsn;
  std::optional<Lsn> flush_lsn;
  std::optional<Lsn> replay_lsn;
  std::optional<Lsn> current_lsn; // the leader's pg_current_wal_lsn() when queried
  std::optional<double> write_lag_seconds;
  std::optional<double> flush_lag_seconds;
  std::optional<double> replay_lag_seconds;

  // Bytes of WAL the leader has written and the standby not yet replayed.
  std::optional<std::uint64_t> replay_lag_bytes() const;
};

Expected<std::vector<ReplicationPeer>, std::string> parse_stat_replication(
  std::string_view psql_output);

} // namespace kpg::pg
