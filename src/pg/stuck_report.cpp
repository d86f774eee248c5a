#include "pg/stuck_report.hpp"

#include <fmt/format.h>

#include <sstream>

namespace kpg::pg {

namespace {

using json = nlohmann::json;

std::string str(const json& object, const char* key)
{
  if (!object.is_object()) {
    return {};
  }
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& obj(const json& object, const char* key)
{
  static const json empty = json::object();
  if (!object.is_object()) {
    return empty;
  }
  const auto it = object.find(key);
  return it != object.end() ? *it : empty;
}

// "waiting: CrashLoopBackOff (back-off 10s restarting failed container)"
std::string container_state(const json& state)
{
  if (state.contains("waiting")) {
    const auto& w = state["waiting"];
    const auto message = str(w, "message");
    return fmt::format("waiting: {}{}", str(w, "reason").empty() ? "unknown" : str(w, "reason"),
                       message.empty() ? "" : " (" + message + ")");
  }
  if (state.contains("terminated")) {
    const auto& t = state["terminated"];
    const auto message = str(t, "message");
    return fmt::format("terminated: {} (exit code {}){}", str(t, "reason"), t.value("exitCode", 0),
                       message.empty() ? "" : ": " + message);
  }
  if (state.contains("running")) {
    return "running";
  }
  return "not started";
}

void append_indented(std::ostringstream& out, const std::string& text, const char* indent)
{
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    out << indent << line << '\n';
  }
}

} // namespace

std::string describe_pod_state(const json& pod)
{
  const auto& status = obj(pod, "status");
  std::vector<std::string> parts;
  std::string phase = str(status, "phase");
  bool ready = false;
  for (const auto& condition :
       obj(status, "conditions").is_array() ? obj(status, "conditions") : json::array()) {
    if (str(condition, "type") == "Ready") {
      ready = str(condition, "status") == "True";
    }
    if (str(condition, "type") == "PodScheduled" && str(condition, "status") != "True") {
      parts.push_back(
        fmt::format("not scheduled: {} {}", str(condition, "reason"), str(condition, "message")));
    }
  }
  for (const auto& c : obj(status, "containerStatuses").is_array()
                         ? obj(status, "containerStatuses")
                         : json::array()) {
    std::string part =
      fmt::format("container {} {}", str(c, "name"), container_state(obj(c, "state")));
    if (!c.value("ready", false)) {
      part += " (not ready";
      if (obj(c, "state").contains("running")) {
        part += ": readiness probe failing";
      }
      part += ")";
    }
    if (const int restarts = c.value("restartCount", 0); restarts > 0) {
      part += fmt::format(", restarts {}", restarts);
    }
    if (const auto& last = obj(c, "lastState"); last.contains("terminated")) {
      part += ", last " + container_state(last);
    }
    parts.push_back(std::move(part));
  }
  return fmt::format("{}{}{}{}", phase.empty() ? "Pending" : phase,
                     ready ? ", Ready" : ", not Ready", parts.empty() ? "" : ": ",
                     fmt::join(parts, "; "));
}

std::string format_stuck_report(const StuckReport& report)
{
  std::ostringstream out;
  const auto& r = report.readiness;
  if (r.leaders.size() > 1) {
    out << fmt::format("more than one member is labelled leader: {}\n", fmt::join(r.leaders, ", "));
  }
  for (const auto& member : report.missing_members) {
    out << fmt::format("member {} does not exist yet: the StatefulSet creates members one at a "
                       "time, each after the previous one is Ready\n",
                       member);
  }
  for (const auto& evidence : report.pods) {
    const auto& metadata = obj(evidence.pod, "metadata");
    out << fmt::format("pod {}/{} is {}\n", str(metadata, "namespace"), str(metadata, "name"),
                       describe_pod_state(evidence.pod));
    if (!evidence.events.empty()) {
      out << "  events:\n";
      for (const auto& event : evidence.events) {
        out << fmt::format("    {} {}: {}\n", str(event, "type"), str(event, "reason"),
                           str(event, "message"));
      }
    }
    if (!evidence.log_error.empty()) {
      out << fmt::format("  log of container {}: {}\n", evidence.container, evidence.log_error);
    } else if (!evidence.log_tail.empty()) {
      out << fmt::format("  last log lines of container {}:\n", evidence.container);
      append_indented(out, evidence.log_tail, "    ");
    }
  }
  for (const auto& note : report.replica_notes) {
    out << note << '\n';
  }
  if (r.pods_ready() && report.replica_notes.empty() && !r.complete()) {
    out << "the replicas' streaming state could not be read from the leader's Patroni\n";
  }
  if (r.leaders.empty() && report.pods.empty() && report.missing_members.empty()) {
    out << "every member is Ready but none holds the leader lock: see the members' Patroni logs "
           "(kubectl logs)\n";
  }
  return out.str();
}

} // namespace kpg::pg
