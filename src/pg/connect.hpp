#pragma once
// `kubectl pg connect`: which member pod runs psql, and the command that runs it
// there (over exec, kube/exec_stream.hpp). psql always runs in a member pod's
// `postgres` container, which Spilo ships with psql:
//   primary  in the leader (role label spilo-role=master|primary, labels.hpp),
//            over the local unix socket
//   replica  in a replica (spilo-role=replica), over the local unix socket
//   pooler   in a ready member, to the pgpool Service <name>-pgpool, port 5432
//
// Authentication, with no password on any command line:
//   unix socket  Spilo's pg_hba.conf trusts local connections (`local all all
//                trust`, configure_spilo.py), so any -U works without a password.
//   pooler       a fixed sh script hands the superuser's password from the pod's
//                own environment (PGPASSWORD_SUPERUSER, from the <name>-superuser
//                Secret) to psql as PGPASSWORD, when -U is the superuser (the
//                default). Another -U gets psql's password prompt, which needs a
//                terminal (psql(1): PGPASSWORD; pgpool's pool_passwd knows only
//                the superuser, templates/patroni/51-deployment-pgpool.yaml).
//
// Sources: Spilo ENVIRONMENT.rst (PGUSER_SUPERUSER, PGPASSWORD_SUPERUSER),
// CloudNativePG internal/cmd/plugin/psql (the same idea over kubectl exec).

#include "kube/api_error.hpp"
#include "kube/rest_client.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace kpg::pg {

// Where psql's session goes.
enum class ConnectTarget
{
  pooler,  // through the pgpool Service (the default: what applications use)
  primary, // the leader's PostgreSQL
  replica, // a replica's PostgreSQL (read-only)
};

std::string_view to_string(ConnectTarget target); // "pooler", "primary", "replica"

struct ConnectRequest
{
  std::string cluster; // the cluster name (its StatefulSet)
  ConnectTarget target = ConnectTarget::pooler;
  std::string database;               // psql -d; "": psql's default (the user's name)
  std::string user;                   // psql -U; "": the superuser (PGUSER_SUPERUSER)
  std::vector<std::string> psql_args; // passed to psql as they are, after the above
};

// The container psql runs in (templates/patroni/50-statefulset.yaml).
inline constexpr std::string_view k_member_container = "postgres";

// Label selector of cluster `cluster`'s member pods:
// "app.kubernetes.io/instance=<cluster>,app.kubernetes.io/component=database".
std::string member_pod_selector(std::string_view cluster);

// The pod to run psql in, among `pods` (the cluster's member pods as the API
// lists them). Terminating pods and pods not Running are never chosen.
//   primary  the leader (ready or not: Patroni labels it as it takes the lock)
//   replica  a replica; a Ready one first, then the lowest ordinal
//   pooler   a Ready member; replicas first (psql's own work stays off the
//            leader), then the lowest ordinal
// The error says what the members are and what to check, e.g.
//   `cluster db/demo has no replica to connect to (members: demo-0 leader, ready);
//   connect to the primary with --primary, or see "kubectl pg status demo -n db"`
Expected<std::string, std::string> choose_pod(const std::vector<nlohmann::json>& pods,
                                              const ConnectRequest& request,
                                              std::string_view namespace_name);

// Lists the member pods of request.cluster in `namespace_name` and chooses one
// (choose_pod). Throws kpg::Error: the list failed (kube::to_command_error,
// exit code 4 when the cluster cannot be read), or no pod fits (exit code 1).
std::string find_psql_pod(kube::RestClient& client, std::string_view namespace_name,
                          const ConnectRequest& request);

// The argv exec runs in the chosen pod: `sh -c <fixed script> psql <user>
// [<pgpool service>] [-d <database>] <psql_args...>`. Every value travels as
// its own argument (never spliced into the script), so no name or argument
// can change what the shell runs.
std::vector<std::string> psql_command(const ConnectRequest& request);

} // namespace kpg::pg
