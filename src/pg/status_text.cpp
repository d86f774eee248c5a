// StatusReport::print_text: the sections of `kubectl pg status` (-o table|wide).

#include "pg/status_report.hpp"
#include "ui/human.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

namespace kpg::pg {

namespace {

using ui::Color;
using ui::Table;
using Visibility = ui::Table::Visibility;

constexpr std::size_t k_endpoints_shown = 3; // as kubectl's ENDPOINTS column

std::string yes_no(bool value)
{
  return value ? "yes" : "no";
}

std::string role_text(MemberRole role)
{
  std::string text(to_string(role));
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

// kubectl's endpoint list: the first three, then "+ N more...".
std::string endpoint_list(const std::vector<std::string>& endpoints)
{
  if (endpoints.empty()) {
    return "<none>";
  }
  const std::size_t shown = std::min(endpoints.size(), k_endpoints_shown);
  std::string text =
    fmt::format("{}", fmt::join(endpoints.begin(),
                                endpoints.begin() + static_cast<std::ptrdiff_t>(shown), ","));
  if (endpoints.size() > shown) {
    text += fmt::format(" + {} more...", endpoints.size() - shown);
  }
  return text;
}

std::string seconds_text(double seconds)
{
  return seconds < 10 ? fmt::format("{:.1f}s", seconds) : fmt::format("{:.0f}s", seconds);
}

void print_heading(std::ostream& out, std::string_view title, const ui::Palette& palette)
{
  out << '\n' << palette.paint(title, Color::bold) << '\n';
}

void print_summary(std::ostream& out, const ClusterStatus& s, WallTime now,
                   const ui::Palette& palette)
{
  const MemberStatus* leader = s.leader();
  std::string leader_text = "<none>";
  if (leader != nullptr) {
    leader_text = leader->timeline ? fmt::format("{} (timeline {})", leader->pod, *leader->timeline)
                                   : leader->pod;
  }
  std::string failover_text = "<none recorded>";
  if (const auto& f = s.last_failover) {
    const std::string when =
      f->time
        ? fmt::format("{} ({} ago)", format_rfc3339_utc(*f->time),
                      ui::format_age(std::chrono::floor<std::chrono::seconds>(now - *f->time)))
        : std::string("time unknown");
    failover_text = fmt::format("{}, timeline {} -> {}{}", when, f->timeline, f->timeline + 1,
                                f->new_leader.empty() ? "" : ", promoted " + f->new_leader);
  }
  const bool healthy = s.health() == Health::healthy;
  const std::vector<std::pair<std::string, std::string>> rows{
    { "Name:", fmt::format("{}/{}", s.namespace_name, s.name) },
    { "Engine:", s.engine },
    { "Health:", palette.paint(to_string(s.health()), healthy ? Color::green : Color::yellow) },
    { "Leader:", leader_text },
    { "Members ready:", fmt::format("{}/{}", s.members_ready(), s.members_desired) },
    { "pgpool ready:", fmt::format("{}/{}", s.pgpool_ready(), s.pgpool_desired) },
    { "Last failover:", failover_text },
  };
  out << palette.paint("Cluster", Color::bold) << '\n';
  for (const auto& [key, value] : rows) {
    out << fmt::format("  {:<16}{}\n", key, value);
  }
  if (s.paused) {
    out << fmt::format("  {:<16}{}\n", "Paused:", "yes (maintenance mode: no automatic failover)");
  }
}

void print_members(std::ostream& out, const ClusterStatus& s, Table::Width width,
                   const ui::Palette& palette)
{
  Table table({ { "pod" },
                { "node", Visibility::wide_only },
                { "ip", Visibility::wide_only },
                { "role" },
                { "state" },
                { "tl" },
                { "lsn", Visibility::wide_only },
                { "lag" },
                { "lag time" },
                { "sync", Visibility::wide_only },
                { "version" },
                { "patroni", Visibility::wide_only },
                { "pending restart" },
                { "ready" },
                { "restarts", Visibility::wide_only } });
  for (const auto& m : s.members) {
    const bool leader = is_leader(m.role);
    std::string lag = leader ? "" : "unknown";
    std::string lag_time = leader ? "" : "unknown";
    if (!leader && m.lag_bytes) {
      lag = ui::format_bytes(*m.lag_bytes);
    }
    if (!leader && m.lag_seconds) {
      lag_time = seconds_text(*m.lag_seconds);
    }
    const bool bad_state =
      m.streaming == false || (!m.state.empty() && m.state != "running" && m.state != "streaming");
    table.add_row({ m.pod,
                    m.node,
                    m.pod_ip,
                    { role_text(m.role), leader ? std::optional(Color::bold) : std::nullopt },
                    { m.state.empty() ? "unknown" : m.state,
                      bad_state ? std::optional(Color::yellow) : std::nullopt },
                    m.timeline ? std::to_string(*m.timeline) : "",
                    m.lsn ? m.lsn->str() : "",
                    lag,
                    lag_time,
                    m.sync_state,
                    m.postgres_version,
                    m.patroni_version,
                    m.pending_restart ? "yes" : "",
                    { yes_no(m.ready), m.ready ? std::nullopt : std::optional(Color::red) },
                    std::to_string(m.restarts) });
  }
  print_heading(out, "Members", palette);
  table.render(out, width, palette);
}

void print_pgpool(std::ostream& out, const ClusterStatus& s, Table::Width width,
                  const ui::Palette& palette)
{
  Table table({ { "pod" },
                { "ready" },
                { "backend" },
                { "address" },
                { "status" },
                { "pg status" },
                { "role" },
                { "pg role" },
                { "lb weight", Visibility::wide_only },
                { "selects" },
                { "delay", Visibility::wide_only },
                { "last change", Visibility::wide_only } });
  for (const auto& p : s.pgpool) {
    const Table::Cell ready{ yes_no(p.ready), p.ready ? std::nullopt : std::optional(Color::red) };
    if (p.backends.empty()) {
      table.add_row(
        { p.pod, ready, "", "", p.error.empty() ? "" : "unreadable", "", "", "", "", "", "", "" });
    }
    for (const auto& b : p.backends) {
      table.add_row({ p.pod,
                      ready,
                      std::to_string(b.node_id),
                      fmt::format("{}:{}", b.hostname, b.port),
                      { b.status, b.is_up() ? std::nullopt : std::optional(Color::red) },
                      b.pg_status,
                      b.role,
                      b.pg_role,
                      fmt::format("{:.2f}", b.lb_weight),
                      std::to_string(b.select_count),
                      b.replication_delay,
                      b.last_status_change });
    }
  }
  print_heading(out, "pgpool", palette);
  if (table.empty()) {
    out << "<no pgpool pods>\n";
    return;
  }
  table.render(out, width, palette);
}

void print_services(std::ostream& out, const ClusterStatus& s, Table::Width width,
                    const ui::Palette& palette)
{
  Table table({ { "name" },
                { "type" },
                { "cluster-ip" },
                { "port(s)" },
                { "endpoints" },
                { "not ready", Visibility::wide_only } });
  for (const auto& svc : s.services) {
    table.add_row(
      { svc.name, svc.type, svc.cluster_ip, fmt::format("{}", fmt::join(svc.ports, ",")),
        endpoint_list(svc.ready_endpoints),
        svc.not_ready_endpoints.empty() ? "" : endpoint_list(svc.not_ready_endpoints) });
  }
  print_heading(out, "Services", palette);
  table.render(out, width, palette);
}

void print_storage(std::ostream& out, const ClusterStatus& s, Table::Width width,
                   const ui::Palette& palette)
{
  Table table({ { "pvc" },
                { "pod" },
                { "status" },
                { "capacity" },
                { "requested", Visibility::wide_only },
                { "storageclass" } });
  for (const auto& v : s.volumes) {
    table.add_row({ v.name,
                    v.pod,
                    { v.phase, v.phase == "Bound" ? std::nullopt : std::optional(Color::yellow) },
                    v.capacity,
                    v.requested,
                    v.storage_class });
  }
  print_heading(out, "Storage", palette);
  table.render(out, width, palette);
}

void print_problems(std::ostream& out, const ClusterStatus& s, const ui::Palette& palette)
{
  if (s.problems.empty()) {
    return;
  }
  print_heading(out, "Problems", palette);
  for (const auto& p : s.problems) {
    const bool warning = p.severity == Severity::warning;
    out << palette.paint(warning ? "WARNING:" : "NOTICE:", warning ? Color::yellow : Color::dim)
        << ' ' << p.message << " [" << p.reason << "]\n";
  }
}

} // namespace

void StatusReport::print_text(std::ostream& out, ui::Table::Width width,
                              const ui::Palette& palette) const
{
  print_summary(out, m_status, m_now, palette);
  print_members(out, m_status, width, palette);
  print_pgpool(out, m_status, width, palette);
  print_services(out, m_status, width, palette);
  print_storage(out, m_status, width, palette);
  print_problems(out, m_status, palette);
}

} // namespace kpg::pg
