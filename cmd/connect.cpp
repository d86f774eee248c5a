// kubectl pg connect NAME: psql in a member pod, over exec (pg/connect.hpp says
// which pod, which command and how psql authenticates).

#include "cmd/connect.hpp"

#include "cmd/commands.hpp"
#include "cmd/help.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "kube/exec_stream.hpp"
#include "kube/session.hpp"
#include "kube/terminal.hpp"
#include "render/k8s_names.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <unistd.h>

namespace kpg::cmd {

namespace {

void run_connect(const ConnectOptions& options, Context& ctx)
{
  const pg::ConnectRequest request = validate(options);
  kube::Session session(ctx);
  const std::string& namespace_name = session.namespace_name();
  const std::string pod = pg::find_psql_pod(session.client(), namespace_name, request);

  // A terminal for psql's prompt and line editing when both ends are one;
  // otherwise SQL from stdin and plain output (`echo 'select 1' | ...`).
  const bool tty = ctx.stdin_is_tty && ctx.stdout_is_tty;
  const kube::ExecRequest exec_request{ namespace_name, pod, std::string(pg::k_member_container),
                                        pg::psql_command(request),
                                        tty ? kube::TtyMode::enabled : kube::TtyMode::disabled };
  kube::FdInput input(STDIN_FILENO, "stdin");
  kube::FdOutput output(STDOUT_FILENO, "stdout");
  kube::FdOutput error_output(STDERR_FILENO, "stderr");
  kube::ExecStreams streams;
  streams.input = &input;
  streams.output = &output;
  streams.error_output = tty ? nullptr : &error_output; // a TTY merges stderr into stdout
  std::optional<kube::RawTerminal> raw_terminal;
  if (tty) {
    streams.terminal_size = [] { return kube::terminal_size(STDIN_FILENO); };
    raw_terminal.emplace(STDIN_FILENO);
  }
  kube::ExecResult result;
  try {
    result = kube::exec(session.config(), exec_request, streams);
  } catch (const kube::ExecError& error) {
    throw kube::to_command_error(error,
                                 fmt::format("running psql ({}) in pod {}/{}",
                                             pg::to_string(request.target), namespace_name, pod));
  }
  if (result.exit_code != 0) {
    ctx.exit_code = static_cast<ExitCode>(result.exit_code);
  }
}

} // namespace

void add_connect_flags(CLI::App& sub, ConnectOptions& options)
{
  sub.add_option("NAME", options.cluster, "Cluster name")->required();
  auto* primary =
    sub.add_flag("--primary", options.primary, "psql on the primary (the Patroni leader)");
  auto* replica = sub.add_flag("--replica", options.replica, "psql on a replica (read-only)");
  auto* pooler = sub.add_flag("--pooler", options.pooler,
                              "psql through the pgpool-II Service, as applications connect "
                              "(the default)");
  primary->excludes(replica)->excludes(pooler);
  replica->excludes(pooler);
  sub
    .add_option("-d,--dbname", options.database,
                "Database to connect to (psql's default: "
                "the user's name)")
    ->type_name("DB");
  sub
    .add_option("-U,--username", options.user,
                "Database user (default: the superuser, authenticated without a password "
                "on any command line)")
    ->type_name("USER");
  sub.add_option("psql-args", options.psql_args, "Arguments for psql, after --")
    ->type_name("-- PSQL_ARGS");
}

pg::ConnectRequest validate(const ConnectOptions& options)
{
  if (!render::is_dns1035_label(options.cluster)) {
    throw UsageError(fmt::format(
      "invalid cluster name {:?}: a cluster name is an RFC 1035 label (at most 63 lower-case "
      "letters, digits and '-', starting with a letter), as create requires",
      options.cluster));
  }
  pg::ConnectRequest request;
  request.cluster = options.cluster;
  request.target = options.primary   ? pg::ConnectTarget::primary
                   : options.replica ? pg::ConnectTarget::replica
                                     : pg::ConnectTarget::pooler;
  request.database = options.database;
  request.user = options.user;
  request.psql_args = options.psql_args;
  return request;
}

void add_connect_command(CLI::App& app, Context& ctx)
{
  auto options = std::make_shared<ConnectOptions>();
  auto* sub = app.add_subcommand("connect", "Open psql on a cluster: its pooler, primary or a "
                                            "replica");
  sub->group(k_group_operations);
  set_long_description(*sub,
    "Run psql in one of the cluster's member pods over exec, with this terminal attached: "
    "through the pgpool-II Service (--pooler, the default, as applications connect), on the "
    "primary (--primary: the pod Patroni labels leader) or on a replica (--replica).\n\n"
    "With a terminal on stdin and stdout, psql gets one (prompt, line editing, window size); "
    "otherwise SQL is read from stdin and the output is plain, for scripts and CI.\n\n"
    "No password travels on a command line: on a member pod psql uses the local socket, "
    "which Spilo trusts; through the pooler the superuser's password goes from the pod's own "
    "environment to psql's. Another user (-U) through the pooler is asked for a password, "
    "which needs a terminal.");
  sub->footer("Examples:\n"
              "  # Interactive psql through pgpool-II\n"
              "  kubectl pg connect orders -n shop\n\n"
              "  # Is the primary really the primary? (prints f)\n"
              "  echo 'select pg_is_in_recovery()' | kubectl pg connect orders --primary -- -At\n\n"
              "  # A query on a replica, as user app, in database shop\n"
              "  kubectl pg connect orders --replica -U app -d shop -- -c 'select count(*) from "
              "orders'\n\n"
              "Exit codes: psql's own (0 ok, 1 fatal error, 2 connection lost, 3 script error "
              "with ON_ERROR_STOP); when psql could not be run: 1 (no suitable pod, API error), "
              "2 invalid flags, 4 API server unreachable, 130 interrupted.");
  add_connect_flags(*sub, *options);
  sub->callback([options, &ctx] { run_connect(*options, ctx); });
}

} // namespace kpg::cmd
