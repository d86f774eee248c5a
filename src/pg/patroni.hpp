#pragma once
// Patroni's REST API responses (port 8008, reached through the API server's pod
// proxy or exec), parsed into plain structs. Shapes from Patroni's source and
// docs (patroni/api.py do_GET_cluster/do_GET_patroni/do_GET_history,
// patroni/utils.py cluster_as_json, docs/rest_api.rst), covering Patroni 3.0
// (Debian 12's, used by kubesim) and 4.x (Spilo's):
// - Patroni 4 reports the primary's role as "primary", 3.x as "master";
// - WAL positions in GET /patroni are integers (bytes since 0/0), in
//   GET /cluster (Patroni >= 4) LSN strings;
// - "replication_state" (streaming / in archive recovery) is Patroni >= 3.0.3.
// Parsers return the error with the response, the field path and the value:
//   reading Patroni's GET /cluster response: members[1].timeline: expected an integer, got "5"

#include "core/expected.hpp"
#include "core/time_format.hpp"
#include "pg/lsn.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::pg {

// A member's role in GET /cluster.
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
// Patroni's spelling -> MemberRole; unknown for anything else.
MemberRole parse_member_role(std::string_view text);
// leader and standby_leader.
bool is_leader(MemberRole role);

// One entry of GET /cluster's "members".
struct PatroniMember
{
  std::string name; // Patroni's member name: the pod name
  MemberRole role = MemberRole::unknown;
  std::string state;   // "running", "streaming", "starting", "stopped", "crashed", ...
  std::string api_url; // "http://10.0.0.5:8008/patroni"
  std::string host;    // PostgreSQL host (pod IP)
  std::optional<std::int64_t> port;
  std::optional<std::int64_t> timeline;
  // Bytes behind the leader's last known WAL position (Patroni computes it from
  // the DCS). Absent for the leader and when Patroni says "unknown".
  std::optional<std::uint64_t> lag_bytes;
  std::optional<Lsn> lsn; // the member's WAL position (Patroni >= 4)
  bool pending_restart = false;
  std::optional<std::string> scheduled_restart; // RFC 3339 schedule
};

// GET /cluster.
struct PatroniCluster
{
  std::string scope;                  // Patroni's cluster name (Patroni >= 4; "" before)
  std::vector<PatroniMember> members; // sorted by name, as Patroni sends them
  bool paused = false;                // maintenance mode: no automatic failover
  std::optional<std::string> scheduled_switchover; // RFC 3339 "at"

  // The first member with a leader role, or nullptr.
  const PatroniMember* leader() const;
};

Expected<PatroniCluster, std::string> parse_patroni_cluster(std::string_view body);

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

// GET /history, oldest first.
Expected<std::vector<TimelineSwitch>, std::string> parse_patroni_history(std::string_view body);

} // namespace kpg::pg
