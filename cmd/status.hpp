#pragma once
// kubectl pg status NAME: the options, their validation and the run, apart
// from the CLI11 wiring so unit tests drive them with a fake transport.
//
// Exit codes: 0 healthy, 3 degraded, 4 the cluster could not be read (a LIST
// failed: API server unreachable, credentials refused, server error), 1 no
// such cluster (as kubectl's NotFound), 2 bad flags, 6 --watch --until timed
// out, 130 --watch ended by Ctrl-C.

#include "core/context.hpp"
#include "core/interrupt.hpp"
#include "kube/rest_client.hpp"
#include "pg/cluster_status.hpp"
#include "pg/sql_runner.hpp"
#include "ui/output_format.hpp"

#include <chrono>
#include <string>

namespace kpg::cmd {

// The flags as given.
struct StatusOptions
{
  std::string name;
  std::string output;                // -o: table (default), wide, yaml, json, name
  bool watch = false;                // --watch
  std::string interval = "2s";       // --interval, with --watch
  std::string until;                 // --until healthy|degraded, with --watch
  std::string timeout = "0";         // --timeout, with --watch; 0: none
  std::string lag_threshold = "1Mi"; // --lag-threshold: bytes, a Kubernetes quantity
};

// Which health ends a watch.
enum class WatchGoal
{
  none, // until Ctrl-C (or --timeout)
  healthy,
  degraded,
};

// The flags checked and converted.
struct StatusSettings
{
  ui::OutputFormat format = ui::OutputFormat::table;
  bool watch = false;
  std::chrono::milliseconds interval{ 2000 };
  std::chrono::milliseconds timeout{ 0 };
  WatchGoal until = WatchGoal::none;
  pg::HealthThresholds thresholds;
};

// Pure. Throws kpg::UsageError naming the flag, the value and what is allowed:
// an unknown -o, a malformed duration, an interval under 100ms, --until,
// --interval or --timeout without --watch, a --lag-threshold that is not a
// whole number of bytes.
StatusSettings validate_status_options(const StatusOptions& options);

// What a status run talks to: the API server, SQL in pods, and the pause
// between refreshes (Ctrl-C ends it).
struct StatusTargets
{
  kube::RestClient& client;
  std::string namespace_name;
  pg::SqlRunner& sql;
  Pause* pause = nullptr; // needed with --watch only
};

// Reads the cluster, prints the report on ctx.out and sets ctx.exit_code
// (0 healthy, 3 degraded; 130 when a watch is interrupted). Throws kpg::Error:
// exit code 1 when no such cluster exists, 4 when a LIST fails (before the
// first report; a watch prints later failures on ctx.err and goes on), 6 when
// --until is not reached within --timeout.
void run_status(const std::string& name, const StatusSettings& settings, StatusTargets& targets,
                Context& ctx);

} // namespace kpg::cmd
