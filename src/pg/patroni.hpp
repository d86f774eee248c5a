#pragma once
// Patroni's REST API responses (port 8008, reached through the API server's pod
// proxy or exec), parsed into plain structs, and the member roles Patroni's
// views share. Shapes from Patroni's source and docs (patroni/api.py
// do_GET_patroni/do_GET_history, docs/rest_api.rst), covering Patroni 3.0
// (Debian 12's, used by kubesim) and 4.x (Spilo's):
// - Patroni 4 reports the primary's role as "primary", 3.x as "master";
// - WAL positions in GET /patroni are integers (bytes since 0/0);
// - "replication_state" (streaming / in archive recovery) is Patroni >= 3.0.3.
// The cluster view (roles, lag) comes from the DCS, not GET /cluster:
// patroni_dcs.hpp says why. Parsers return the error with the response, the
// field path and the value:
//   reading Patroni's GET /patroni response: timeline: expected an integer, got "5"

#include "core/expected.hpp"
#include "core/time_format.hpp"
#include "pg/lsn.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::pg {

// A member's role in Patroni's cluster view (patroni/utils.py cluster_as_json).
enum class MemberRole
{
  leader,         // holds the leader lock and runs the primary
  standby_leader, // leader of a standby cluster (replicates from elsewhere)
  sync_standby,   // a synchronous standby (synchronous_mode)
  quorum_standby, // a quorum standby (synchronous_mode: quorum, Patroni >= 4)
  replica,        // an asynchronous standby
  unknown,        // anything else (a newer Patroni)
};

// "leader", "standby_leader", "sync_standby", "quorum_standby", "replica", "unknown".
std::string_view to_string(MemberRole role);
// leader and standby_leader.
bool is_leader(MemberRole role);

// PostgreSQL's role as a member's GET /patroni reports it.
enum class PostgresRole
{
  primary,
  replica,
  standby_leader,
  unknown
};
std::string_view to_string(PostgresRole role); // "primary", "replica", "standby_leader", "unknown"

// One walsender on a primary (pg_stat_replication), from GET /patroni "replication".
struct WalSender
{
  std::string usename;
  std::string application_name; // the standby's Patroni member name
  std::string client_addr;
  std::string state;      // "streaming", "catchup", "startup", "backup", "stopping"
  std::string sync_state; // "async", "sync", "potential", "quorum"
  std::int64_t sync_priority = 0;
};

// GET /patroni on one member.
struct PatroniNodeStatus
{
  std::string state; // "running", "starting", "stopped", ... ("unknown": no SQL answer)
  PostgresRole role = PostgresRole::unknown;
  std::optional<std::int64_t> server_version; // server_version_num, e.g. 150004
  std::optional<std::int64_t> timeline;
  std::optional<Lsn> wal_location;               // primary: pg_current_wal_lsn()
  std::optional<Lsn> received_location;          // standby: last WAL received
  std::optional<Lsn> replayed_location;          // standby: last WAL replayed
  std::optional<std::string> replayed_timestamp; // standby: last replayed commit's time
  bool replay_paused = false;
  std::optional<std::string> replication_state; // standby: "streaming", "in archive recovery"
  bool sync_standby = false;
  std::vector<WalSender> replication; // primary: its standbys
  bool pending_restart = false;
  bool cluster_unlocked = false; // no member holds the leader lock
  bool paused = false;
  std::optional<std::string> postmaster_start_time;
  std::string patroni_version; // "3.0.2"
  std::string scope;

  // "15.4", or "" when PostgreSQL is not running.
  std::string postgres_version() const;
};

Expected<PatroniNodeStatus, std::string> parse_patroni_node_status(std::string_view body);

// One line of GET /history: a timeline switch (a failover or a switchover;
// Patroni's history does not tell them apart).
struct TimelineSwitch
{
  std::int64_t timeline = 0;    // the timeline that ended; the new one is timeline + 1
  Lsn lsn;                      // where it ended
  std::string reason;           // from the .history file, e.g. "no recovery target specified"
  std::optional<WallTime> time; // when the new timeline began (Patroni >= 1.6)
  std::string new_leader;       // the member promoted (Patroni >= 2.0), or ""
};

// GET /history (or the DCS's history annotation, the same JSON), oldest first.
Expected<std::vector<TimelineSwitch>, std::string> parse_patroni_history(std::string_view body);

} // namespace kpg::pg
