#pragma once
// SQL run inside the cluster's pods, answered in psql's unaligned form
// (psql_output.hpp). status asks the leader for pg_stat_replication and each
// pgpool pod for SHOW pool_nodes; later commands (connect checks, failover
// tests) use the same runner.
//
// The commands are argv vectors run in a container over exec (K8S_API.md 5):
//   member (container "postgres", Spilo):
//     psql -X -A -F | -U postgres -d postgres -c <query>
//   over Spilo's unix socket, where pg_hba trusts local connections;
//   pgpool (container "pgpool"):
//     sh -c 'PGPASSWORD="$POSTGRES_PASSWORD" exec psql -X -A -F "|" -h 127.0.0.1
//            -p 9999 -U "$POSTGRES_USERNAME" -d postgres -c "$1"' sh <query>
//   through pgpool's own port with the superuser the Deployment's environment
//   holds: the password stays in the container, never on our command line.
// Queries are passed as one argv element, never spliced into a shell line.

#include "pg/cluster_status.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::pg {

// The Spilo container of a member pod, and pgpool's container (templates/patroni/).
inline constexpr std::string_view k_member_container = "postgres";
inline constexpr std::string_view k_pgpool_container = "pgpool";
// The port pgpool listens on inside its pod (the pgpool image's default).
inline constexpr int k_pgpool_port = 9999;

// A command to run in one container of one pod.
struct PodCommand
{
  std::string namespace_name;
  std::string pod;
  std::string container;
  std::vector<std::string> argv;
};

// `query` through psql in a member pod's Spilo container.
PodCommand member_sql(std::string namespace_name, std::string pod, std::string_view query);
// `query` through psql against pgpool in a pgpool pod.
PodCommand pgpool_sql(std::string namespace_name, std::string pod, std::string_view query);

class SqlRunner
{
public:
  virtual ~SqlRunner() = default;
  // Why this runner cannot run anything at all (status then skips SQL and
  // reports one notice, SqlUnavailable), or std::nullopt when it can.
  virtual std::optional<std::string> unavailable_reason() const = 0;
  // psql's standard output when the command exits 0; otherwise why not: the
  // exit code and psql's first line of standard error, or the exec failure.
  // Thread-safe: status calls it from several threads at once.
  virtual Fetched run(const PodCommand& command) = 0;
};

} // namespace kpg::pg
