#include "pg/connect.hpp"

#include "kube/resource.hpp"
#include "kube/resource_client.hpp"
#include "pg/kube_objects.hpp"
#include "render/labels.hpp"
#include "render/object_names.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>

namespace kpg::pg {

namespace {

// The fixed script psql runs under. $1 is the user ("" for the superuser), the
// rest psql's arguments. The superuser's password goes from the pod's
// environment to psql's, never onto a command line; an empty PGPASSWORD is no
// password to libpq.
constexpr const char* k_psql_script =
  "superuser=${PGUSER_SUPERUSER:-postgres}; user=${1:-$superuser}; shift; "
  "if [ \"$user\" = \"$superuser\" ]; then export PGPASSWORD=\"${PGPASSWORD_SUPERUSER:-}\"; fi; "
  "exec psql -U \"$user\" \"$@\"";

struct Member
{
  PodFacts facts;
  std::string role; // the role label's value, "" before Patroni set it
  bool leader = false;
  bool replica = false;
  bool usable() const
  {
    return facts.phase == "Running" && !facts.terminating;
  }
};

std::string describe(const Member& member)
{
  const std::string role = member.leader ? "leader" : member.replica ? "replica" : "no role yet";
  if (member.facts.terminating) {
    return fmt::format("{} {}, terminating", member.facts.name, role);
  }
  if (member.facts.ready) {
    return fmt::format("{} {}, ready", member.facts.name, role);
  }
  return fmt::format("{} {}, not ready ({})", member.facts.name, role,
                     member.facts.reason.empty() ? member.facts.phase : member.facts.reason);
}

// The first of `members` (in ordinal order) that `fits`, preferring `preferred` ones.
template<typename Fits, typename Preferred>
const Member* first_fitting(const std::vector<Member>& members, Fits fits, Preferred preferred)
{
  const Member* fallback = nullptr;
  for (const auto& member : members) {
    if (!member.usable() || !fits(member)) {
      continue;
    }
    if (preferred(member)) {
      return &member;
    }
    if (fallback == nullptr) {
      fallback = &member;
    }
  }
  return fallback;
}

} // namespace

std::string_view to_string(ConnectTarget target)
{
  switch (target) {
    case ConnectTarget::primary:
      return "primary";
    case ConnectTarget::replica:
      return "replica";
    default:
      return "pooler";
  }
}

std::string member_pod_selector(std::string_view cluster)
{
  return fmt::format("{}={},{}={}", render::k_label_instance, cluster, render::k_label_component,
                     render::k_component_database);
}

Expected<std::string, std::string> choose_pod(const std::vector<nlohmann::json>& pods,
                                              const ConnectRequest& request,
                                              std::string_view namespace_name)
{
  std::vector<Member> members;
  for (const auto& pod : pods) {
    Member member{ read_pod(pod), label(pod, render::k_label_role) };
    member.leader = render::is_leader_role_value(member.role);
    member.replica = member.role == render::k_role_value_replica;
    members.push_back(std::move(member));
  }
  std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
    return ordinal_less(a.facts.name, b.facts.name);
  });
  const auto status_hint =
    fmt::format("see \"kubectl pg status {} -n {}\"", request.cluster, namespace_name);
  if (members.empty()) {
    return unexpected(fmt::format(
      "cluster {}/{} has no member pods (none matches {}); check the name and namespace with "
      "\"kubectl pg list -A\"",
      namespace_name, request.cluster, member_pod_selector(request.cluster)));
  }
  const auto is_ready = [](const Member& m) { return m.facts.ready; };
  const Member* chosen = nullptr;
  std::string_view missing;
  std::string_view instead;
  switch (request.target) {
    case ConnectTarget::primary:
      chosen = first_fitting(
        members, [](const Member& m) { return m.leader; }, is_ready);
      missing = "no leader";
      instead = "Patroni labels the leader spilo-role=master once it holds the leader lock";
      break;
    case ConnectTarget::replica:
      chosen = first_fitting(
        members, [](const Member& m) { return m.replica; }, is_ready);
      missing = "no replica";
      instead = "connect to the primary with --primary";
      break;
    case ConnectTarget::pooler:
      chosen = first_fitting(members, is_ready, [](const Member& m) { return m.replica; });
      missing = "no ready member pod";
      instead = "psql runs in a member pod to reach pgpool";
      break;
  }
  if (chosen != nullptr) {
    return chosen->facts.name;
  }
  std::vector<std::string> described;
  for (const auto& member : members) {
    described.push_back(describe(member));
  }
  return unexpected(fmt::format("cluster {}/{} has {} to connect to (members: {}); {}, or {}",
                                namespace_name, request.cluster, missing,
                                fmt::join(described, "; "), instead, status_hint));
}

std::string find_psql_pod(kube::RestClient& client, std::string_view namespace_name,
                          const ConnectRequest& request)
{
  const kube::ResourceClient pods(client, *kube::resource_for_kind("v1", "Pod"),
                                  std::string(namespace_name));
  kube::ListOptions options;
  options.label_selector = member_pod_selector(request.cluster);
  const auto listed = pods.list(options);
  if (!listed) {
    throw kube::to_command_error(
      listed.error(),
      fmt::format("listing the member pods of cluster {}/{}", namespace_name, request.cluster),
      kube::Access::read);
  }
  auto chosen =
    choose_pod((*listed)["items"].get<std::vector<nlohmann::json>>(), request, namespace_name);
  if (!chosen) {
    throw Error(chosen.error());
  }
  return *chosen;
}

std::vector<std::string> psql_command(const ConnectRequest& request)
{
  std::vector<std::string> argv{ "sh", "-c", k_psql_script, "psql", request.user };
  if (request.target == ConnectTarget::pooler) {
    argv.insert(argv.end(), { "-h", render::ObjectNames(request.cluster).pgpool });
  }
  if (!request.database.empty()) {
    argv.insert(argv.end(), { "-d", request.database });
  }
  argv.insert(argv.end(), request.psql_args.begin(), request.psql_args.end());
  return argv;
}

} // namespace kpg::pg
