// kubectl pg status NAME [-o table|wide|yaml|json|name] [--watch]: what the
// cluster looks like, from Kubernetes, Patroni and SQL (src/pg/status_fetch.hpp),
// built into src/pg's model and printed by its printers.

#include "cmd/status.hpp"

#include "cmd/commands.hpp"
#include "cmd/help.hpp"
#include "cmd/flag_values.hpp"
#include "core/error.hpp"
#include "core/time_format.hpp"
#include "kube/session.hpp"
#include "pg/exec_sql_runner.hpp"
#include "render/labels.hpp"
#include "pg/status_fetch.hpp"
#include "pg/status_report.hpp"
#include "ui/color.hpp"
#include "ui/printer.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <ostream>

namespace kpg::cmd {

namespace {

constexpr std::chrono::milliseconds k_min_interval{ 100 };
// Each request of a watch refresh is bounded (unless --request-timeout says
// otherwise) so Ctrl-C, taken between refreshes, never waits on a hung server.
constexpr const char* k_watch_request_timeout = "10s";

ExitCode exit_code_of(pg::Health health)
{
  return health == pg::Health::healthy ? ExitCode::ok : ExitCode::degraded;
}

std::string reasons_of(const pg::ClusterStatus& status)
{
  std::vector<std::string> reasons;
  for (const auto& problem : status.problems) {
    if (problem.severity == pg::Severity::warning) {
      reasons.push_back(problem.reason);
    }
  }
  return reasons.empty() ? std::string() : fmt::format(" ({})", fmt::join(reasons, ", "));
}

// One read of the cluster. Throws as run_status documents.
pg::ClusterStatus read_cluster(const std::string& name, const StatusSettings& settings,
                               StatusTargets& targets)
{
  auto inputs =
    pg::fetch_status_inputs(targets.client, targets.namespace_name, name, targets.sql, {});
  if (!inputs) {
    throw Error(fmt::format("{}: {}", inputs.error().attempting, inputs.error().error.text()),
                ExitCode::unreachable);
  }
  if (!pg::cluster_exists(*inputs)) {
    std::string kept;
    if (const auto claims = inputs->volume_claims.size(); claims > 0) {
      kept = fmt::format("; its {} PersistentVolumeClaims remain (kept by kubectl pg delete; "
                         "`kubectl pg delete {} --delete-data` removes them)",
                         claims, name);
    }
    throw Error(fmt::format("cluster \"{}\" not found in namespace \"{}\": no StatefulSet, "
                            "Deployment or pod is labelled {}{}. `kubectl pg list -A` lists the "
                            "clusters kubectl-pg manages",
                            name, targets.namespace_name, render::cluster_selector(name), kept));
  }
  return pg::build_cluster_status(*inputs, settings.thresholds);
}

void print_report(const pg::ClusterStatus& status, const StatusSettings& settings, Context& ctx)
{
  const pg::StatusReport report(status, ctx.clock.wall_now());
  ui::print(ctx.out, report, settings.format, ui::Palette::for_stdout(ctx));
}

// Watch: a refresh every interval. On a terminal (text formats) the screen is
// redrawn each time; otherwise a report is printed only when the model changed.
class Watcher
{
public:
  Watcher(const std::string& name, const StatusSettings& settings, StatusTargets& targets,
          Context& ctx)
    : m_name(name)
    , m_settings(settings)
    , m_targets(targets)
    , m_ctx(ctx)
    , m_redraw(ctx.stdout_is_tty && (settings.format == ui::OutputFormat::table ||
                                     settings.format == ui::OutputFormat::wide))
  {
  }

  void run()
  {
    const auto start = m_ctx.clock.now();
    std::optional<pg::Health> health;
    for (bool first = true;; first = false) {
      if (auto status = read(first)) {
        show(*status);
        health = status->health();
        m_reasons = reasons_of(*status);
        if (goal_reached(*health)) {
          m_ctx.exit_code = exit_code_of(*health);
          return;
        }
      }
      auto wait = std::chrono::duration_cast<Clock::Duration>(m_settings.interval);
      if (m_settings.timeout.count() > 0) {
        const auto left = start + m_settings.timeout - m_ctx.clock.now();
        if (left <= Clock::Duration::zero()) {
          timed_out(health);
          return;
        }
        wait = std::min(wait, left);
      }
      if (m_targets.pause->pause_for(wait) == PauseEnd::interrupted) {
        m_ctx.exit_code = ExitCode::interrupted;
        return;
      }
    }
  }

private:
  // The first read's failures end the command; later ones are reported and retried.
  std::optional<pg::ClusterStatus> read(bool first)
  {
    if (first) {
      return read_cluster(m_name, m_settings, m_targets);
    }
    try {
      return read_cluster(m_name, m_settings, m_targets);
    } catch (const Error& e) {
      m_ctx.err << fmt::format("{} {}\n", format_rfc3339_utc(m_ctx.clock.wall_now()), e.what());
      return std::nullopt;
    }
  }

  void show(const pg::ClusterStatus& status)
  {
    const std::string document = pg::StatusReport(status, m_ctx.clock.wall_now()).to_json().dump();
    if (!m_redraw && document == m_last_document) {
      return;
    }
    m_last_document = document;
    const bool text =
      m_settings.format == ui::OutputFormat::table || m_settings.format == ui::OutputFormat::wide;
    if (m_redraw) {
      m_ctx.out << "\x1b[H\x1b[2J"; // cursor home, clear the screen
    }
    if (text) {
      m_ctx.out << fmt::format("Every {}: kubectl pg status {} ({})\n",
                               format_interval(m_settings.interval), m_name,
                               format_rfc3339_utc(m_ctx.clock.wall_now()));
    } else if (m_settings.format == ui::OutputFormat::yaml) {
      m_ctx.out << "---\n";
    }
    print_report(status, m_settings, m_ctx);
    m_ctx.out << std::flush;
  }

  bool goal_reached(pg::Health health) const
  {
    return (m_settings.until == WatchGoal::healthy && health == pg::Health::healthy) ||
           (m_settings.until == WatchGoal::degraded && health == pg::Health::degraded);
  }

  void timed_out(std::optional<pg::Health> health)
  {
    if (m_settings.until == WatchGoal::none) {
      m_ctx.exit_code = health ? exit_code_of(*health) : ExitCode::unreachable;
      return;
    }
    throw Error(
      fmt::format("timed out after {} waiting for cluster {}/{} to be {}: it is {}{}",
                  format_interval(m_settings.timeout), m_targets.namespace_name, m_name,
                  m_settings.until == WatchGoal::healthy ? "healthy" : "degraded",
                  health ? std::string(pg::to_string(*health)) : std::string("unreadable"),
                  m_reasons),
      ExitCode::timeout);
  }

  static std::string format_interval(std::chrono::milliseconds duration)
  {
    return duration.count() % 1000 == 0 ? fmt::format("{}s", duration.count() / 1000)
                                        : fmt::format("{}ms", duration.count());
  }

  const std::string& m_name;
  const StatusSettings& m_settings;
  StatusTargets& m_targets;
  Context& m_ctx;
  bool m_redraw;
  std::string m_last_document;
  std::string m_reasons; // the last report's warnings: " (NoLeader, PodNotReady)"
};

} // namespace

StatusSettings validate_status_options(const StatusOptions& options)
{
  StatusSettings settings;
  settings.format = ui::parse_output_format(options.output, ui::all_output_formats());
  settings.watch = options.watch;
  settings.interval = parse_duration_flag("--interval", options.interval);
  settings.timeout = parse_duration_flag("--timeout", options.timeout);
  if (settings.interval < k_min_interval) {
    throw UsageError(
      fmt::format("invalid --interval \"{}\": at least 100ms between refreshes", options.interval));
  }
  if (options.until == "healthy") {
    settings.until = WatchGoal::healthy;
  } else if (options.until == "degraded") {
    settings.until = WatchGoal::degraded;
  } else if (!options.until.empty()) {
    throw UsageError(
      fmt::format("invalid --until \"{}\": allowed values are healthy, degraded", options.until));
  }
  if (!options.watch) {
    const bool watch_only = settings.until != WatchGoal::none || settings.timeout.count() > 0 ||
                            options.interval != StatusOptions{}.interval;
    if (watch_only) {
      throw UsageError("--interval, --until and --timeout apply to --watch: add --watch");
    }
  }
  settings.thresholds.max_lag_bytes = parse_byte_flag("--lag-threshold", options.lag_threshold);
  return settings;
}

void run_status(const std::string& name, const StatusSettings& settings, StatusTargets& targets,
                Context& ctx)
{
  if (settings.watch) {
    Watcher(name, settings, targets, ctx).run();
    return;
  }
  const auto status = read_cluster(name, settings, targets);
  print_report(status, settings, ctx);
  ctx.exit_code = exit_code_of(status.health());
}

void add_status_command(CLI::App& app, Context& ctx)
{
  auto options = std::make_shared<StatusOptions>();
  auto* sub = app.add_subcommand("status", "Show the health of a cluster: members, replication, "
                                           "pgpool, Services and volumes");
  sub->group(k_group_operations);
  set_long_description(*sub,
    "Show what a cluster looks like now, from the Kubernetes objects kubectl-pg created, "
    "Patroni's state as it keeps it in the API server (its ConfigMaps and the pods' "
    "annotations, as patronictl reads them), each member's GET /patroni (through the API "
    "server's pod proxy, port 8008) and SQL in the pods: "
    "each member's role (leader, sync standby, replica), state, timeline, lag in bytes and "
    "seconds, PostgreSQL version and pending restart; each pgpool pod's view of its backends; "
    "the Services and their endpoints; the volumes; the last failover. Problems (no leader, "
    "a replica not streaming or lagging, a pod not ready, a Service without endpoints, a "
    "volume pending, ...) are listed after the report with a stable reason.\n\n"
    "-o json|yaml prints one document with every key present (schema version 1, "
    "src/pg/status_report.hpp). --watch refreshes every --interval until Ctrl-C, --until "
    "or --timeout: on a terminal the screen is redrawn, otherwise a report is printed each "
    "time the cluster changes.");
  sub->footer(
    "Examples:\n"
    "  # The health of cluster orders in namespace shop\n"
    "  kubectl pg status orders -n shop\n\n"
    "  # As JSON, for scripts (exit code 3 when degraded)\n"
    "  kubectl pg status orders -o json\n\n"
    "  # Follow a failover until the cluster is healthy again, at most 2 minutes\n"
    "  kubectl pg status orders --watch --until healthy --timeout 2m\n\n"
    "  # Report replicas more than 16 MiB behind as lagging\n"
    "  kubectl pg status orders --lag-threshold 16Mi\n\n"
    "Exit codes: 0 healthy, 3 degraded, 4 the cluster could not be read, 1 no such cluster, "
    "2 bad flags, 6 --until not reached within --timeout, 130 interrupted (Ctrl-C).");
  sub->add_option("NAME", options->name, "Cluster name")->required();
  sub->add_option("-o,--output", options->output,
                  "Output format: " + ui::describe_output_formats(ui::all_output_formats()));
  sub->add_flag("-w,--watch", options->watch, "Refresh the report until interrupted");
  sub->add_option("--interval", options->interval, "Time between refreshes with --watch")
    ->capture_default_str();
  sub->add_option("--until", options->until,
                  "With --watch: stop once the cluster is healthy or degraded");
  sub
    ->add_option("--timeout", options->timeout,
                 "With --watch: stop after this long (exit code 6 if --until was not reached)")
    ->capture_default_str();
  sub
    ->add_option("--lag-threshold", options->lag_threshold,
                 "A replica further behind than this many bytes is lagging (a quantity: "
                 "1048576, 1Mi, 16Mi)")
    ->capture_default_str();
  sub->callback([options, &ctx] {
    const auto settings = validate_status_options(*options);
    if (settings.watch && ctx.options.request_timeout == GlobalOptions{}.request_timeout) {
      ctx.options.request_timeout = k_watch_request_timeout;
    }
    kube::Session session(ctx);
    pg::ExecSqlRunner sql(session.config());
    std::optional<SignalPause> pause;
    if (settings.watch) {
      pause.emplace();
    }
    StatusTargets targets{ session.client(), session.namespace_name(), sql,
                           pause ? &*pause : nullptr };
    run_status(options->name, settings, targets, ctx);
  });
}

} // namespace kpg::cmd
