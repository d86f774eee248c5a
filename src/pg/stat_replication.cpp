#include "pg/stat_replication.hpp"

#include "pg/psql_output.hpp"

#include <fmt/format.h>

namespace kpg::pg {

std::optional<std::uint64_t> ReplicationPeer::replay_lag_bytes() const
{
  if (!current_lsn || !replay_lsn) {
    return std::nullopt;
  }
  return lag_bytes(*current_lsn, *replay_lsn);
}

Expected<std::vector<ReplicationPeer>, std::string> parse_stat_replication(
  std::string_view psql_output)
{
  auto table = parse_psql_unaligned(psql_output);
  if (!table) {
    return unexpected(fmt::format("reading pg_stat_replication: {}", table.error()));
  }
  if (auto missing = table->missing_column({ "application_name" }); !missing.empty()) {
    return unexpected(fmt::format("reading pg_stat_replication: {}", missing));
  }
  std::vector<ReplicationPeer> peers;
  try {
    for (std::size_t row = 0; row < table->size(); ++row) {
      ReplicationPeer peer;
      peer.application_name = table->value(row, "application_name");
      peer.state = table->value(row, "state");
      peer.sync_state = table->value(row, "sync_state");
      peer.sent_lsn = table->lsn(row, "sent_lsn");
      peer.write_lsn = table->lsn(row, "write_lsn");
      peer.flush_lsn = table->lsn(row, "flush_lsn");
      peer.replay_lsn = table->lsn(row, "replay_lsn");
      peer.current_lsn = table->lsn(row, "current_lsn");
      peer.write_lag_seconds = table->decimal(row, "write_lag");
      peer.flush_lag_seconds = table->decimal(row, "flush_lag");
      peer.replay_lag_seconds = table->decimal(row, "replay_lag");
      peers.push_back(std::move(peer));
    }
  } catch (const PsqlFieldError& e) {
    return unexpected(fmt::format("reading pg_stat_replication: {}", e.what()));
  }
  return peers;
}

} // namespace kpg::pg
