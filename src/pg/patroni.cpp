#include "pg/patroni.hpp"

#include "core/json_view.hpp"
#include "pg/postgres_version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace kpg::pg {

namespace {

constexpr std::array<std::pair<MemberRole, std::string_view>, 6> k_member_roles{ {
  { MemberRole::leader, "leader" },
  { MemberRole::standby_leader, "standby_leader" },
  { MemberRole::sync_standby, "sync_standby" },
  { MemberRole::quorum_standby, "quorum_standby" },
  { MemberRole::replica, "replica" },
  { MemberRole::unknown, "unknown" },
} };

// Runs `parse` over the body as JSON; a JsonError becomes the Expected's error,
// prefixed with what the body is ("GET /patroni response").
template<typename T, typename Parse>
Expected<T, std::string> parse_response(std::string_view what, std::string_view body, Parse&& parse)
{
  try {
    const nlohmann::json document = parse_json(body);
    return parse(JsonView(document));
  } catch (const JsonError& e) {
    return unexpected(fmt::format("reading Patroni's {}: {}", what, e.what()));
  }
}

// A WAL position Patroni sends as an integer (bytes since 0/0).
std::optional<Lsn> position_at(const JsonView& object, std::string_view key)
{
  auto found = object.find(key);
  return found ? std::optional(Lsn(found->as_uint())) : std::nullopt;
}

PostgresRole parse_postgres_role(std::string_view text)
{
  if (text == "master" || text == "primary") {
    return PostgresRole::primary;
  }
  if (text == "replica") {
    return PostgresRole::replica;
  }
  if (text == "standby_leader") {
    return PostgresRole::standby_leader;
  }
  return PostgresRole::unknown;
}

WalSender parse_wal_sender(const JsonView& item)
{
  WalSender sender;
  sender.usename = item.string_at("usename").value_or("");
  sender.application_name = item.string_at("application_name").value_or("");
  sender.client_addr = item.string_at("client_addr").value_or("");
  sender.state = item.string_at("state").value_or("");
  sender.sync_state = item.string_at("sync_state").value_or("");
  sender.sync_priority = item.int_at("sync_priority").value_or(0);
  return sender;
}

TimelineSwitch parse_history_line(const JsonView& line)
{
  const auto fields = line.elements();
  if (fields.size() < 3) {
    throw JsonError(fmt::format("{}: expected [timeline, lsn, reason, time, leader], got {}",
                                line.path(), line.json().dump()));
  }
  TimelineSwitch entry;
  entry.timeline = fields[0].as_int();
  entry.lsn = Lsn(fields[1].as_uint());
  entry.reason = fields[2].as_string();
  if (fields.size() > 3 && !fields[3].json().is_null()) {
    auto time = parse_rfc3339(fields[3].as_string());
    if (!time) {
      throw JsonError(fmt::format("{}: {}", fields[3].path(), time.error()));
    }
    entry.time = *time;
  }
  if (fields.size() > 4 && !fields[4].json().is_null()) {
    entry.new_leader = fields[4].as_string();
  }
  return entry;
}

} // namespace

std::string_view to_string(MemberRole role)
{
  for (const auto& [value, name] : k_member_roles) {
    if (value == role) {
      return name;
    }
  }
  return "unknown";
}

bool is_leader(MemberRole role)
{
  return role == MemberRole::leader || role == MemberRole::standby_leader;
}

std::string_view to_string(PostgresRole role)
{
  switch (role) {
    case PostgresRole::primary:
      return "primary";
    case PostgresRole::replica:
      return "replica";
    case PostgresRole::standby_leader:
      return "standby_leader";
    case PostgresRole::unknown:
      break;
  }
  return "unknown";
}

std::string PatroniNodeStatus::postgres_version() const
{
  return server_version ? format_server_version(*server_version) : "";
}

Expected<PatroniNodeStatus, std::string> parse_patroni_node_status(std::string_view body)
{
  return parse_response<PatroniNodeStatus>("GET /patroni response", body, [](const JsonView& root) {
    PatroniNodeStatus status;
    status.state = root.string_at("state").value_or("");
    status.role = parse_postgres_role(root.string_at("role").value_or(""));
    status.server_version = root.int_at("server_version");
    status.timeline = root.int_at("timeline");
    if (auto xlog = root.find("xlog")) {
      status.wal_location = position_at(*xlog, "location");
      status.received_location = position_at(*xlog, "received_location");
      status.replayed_location = position_at(*xlog, "replayed_location");
      status.replayed_timestamp = xlog->string_at("replayed_timestamp");
      status.replay_paused = xlog->bool_at("paused", false);
    }
    status.replication_state = root.string_at("replication_state");
    status.sync_standby =
      root.bool_at("sync_standby", false) || root.bool_at("quorum_standby", false);
    if (auto replication = root.find("replication")) {
      for (const auto& item : replication->elements()) {
        status.replication.push_back(parse_wal_sender(item));
      }
    }
    status.pending_restart = root.bool_at("pending_restart", false);
    status.cluster_unlocked = root.bool_at("cluster_unlocked", false);
    status.paused = root.bool_at("pause", false);
    status.postmaster_start_time = root.string_at("postmaster_start_time");
    if (auto patroni = root.find("patroni")) {
      status.patroni_version = patroni->string_at("version").value_or("");
      status.scope = patroni->string_at("scope").value_or("");
    }
    return status;
  });
}

Expected<std::vector<TimelineSwitch>, std::string> parse_patroni_history(std::string_view body)
{
  return parse_response<std::vector<TimelineSwitch>>(
    "timeline history", body, [](const JsonView& root) {
      std::vector<TimelineSwitch> history;
      for (const auto& line : root.elements()) {
        history.push_back(parse_history_line(line));
      }
      return history;
    });
}

} // namespace kpg::pg
