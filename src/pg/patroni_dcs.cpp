#include "pg/patroni_dcs.hpp"

#include "core/json_view.hpp"
#include "pg/kube_objects.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace kpg::pg {

namespace {

using nlohmann::json;

// metadata.annotations[key], or nullopt.
std::optional<std::string> annotation(const json& object, std::string_view key)
{
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) {
    return std::nullopt;
  }
  const auto annotations = metadata->find("annotations");
  if (annotations == metadata->end() || !annotations->is_object()) {
    return std::nullopt;
  }
  const auto value = annotations->find(std::string(key));
  if (value == annotations->end() || !value->is_string()) {
    return std::nullopt;
  }
  return value->get<std::string>();
}

const json* find_config_map(const std::vector<json>& config_maps, const std::string& name)
{
  const auto found = std::find_if(config_maps.begin(), config_maps.end(), [&](const json& cm) {
    return cm.value("/metadata/name"_json_pointer, std::string()) == name;
  });
  return found == config_maps.end() ? nullptr : &*found;
}

// What `read` returns for the JSON in annotation `key` of `object` (a `kind`:
// "pod", "ConfigMap"); null JSON when the object or the annotation is absent or empty.
// Errors are prefixed with the object and the annotation.
template<typename Read>
auto read_annotation_json(const json* object, std::string_view kind, std::string_view key,
                          Read&& read)
{
  json document;
  const auto text = object ? annotation(*object, key) : std::nullopt;
  try {
    if (text && !text->empty()) {
      document = parse_json(*text);
    }
    return read(JsonView(document));
  } catch (const JsonError& e) {
    throw JsonError(fmt::format("{} {}, annotation {}: {}", kind,
                                object->value("/metadata/name"_json_pointer, std::string()), key,
                                e.what()));
  }
}

// Patroni's optime annotation: bytes since 0/0 as decimal text ("83886216").
std::optional<Lsn> optime(const json* leader_map)
{
  const auto text = leader_map ? annotation(*leader_map, "optime") : std::nullopt;
  std::uint64_t bytes = 0;
  if (!text || text->empty() ||
      std::from_chars(text->data(), text->data() + text->size(), bytes).ec != std::errc()) {
    return std::nullopt;
  }
  return Lsn(bytes);
}

// "a, b,c" -> {"a", "b", "c"}, as patroni/dcs SyncState.members splits it.
std::vector<std::string> split_names(std::string_view list)
{
  std::vector<std::string> names;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    while (!name.empty() && name.front() == ' ') {
      name.remove_prefix(1);
    }
    while (!name.empty() && name.back() == ' ') {
      name.remove_suffix(1);
    }
    if (!name.empty()) {
      names.emplace_back(name);
    }
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return names;
}

// A member from its pod's status annotation (Patroni's member data).
PatroniMember member_from_pod(const json& pod, const std::string& leader,
                              const std::vector<std::string>& sync_standbys, bool standby_cluster,
                              std::optional<Lsn> leader_optime)
{
  PatroniMember member;
  member.name = read_pod(pod).name;
  if (member.name == leader) {
    member.role = standby_cluster ? MemberRole::standby_leader : MemberRole::leader;
  } else if (std::find(sync_standbys.begin(), sync_standbys.end(), member.name) !=
             sync_standbys.end()) {
    member.role = MemberRole::sync_standby;
  } else {
    member.role = MemberRole::replica;
  }
  read_annotation_json(&pod, "pod", "status", [&member](const JsonView& data) {
    if (data.json().is_null()) {
      return; // not yet written: Patroni has not run in this pod
    }
    member.state = data.string_at("state").value_or("");
    member.timeline = data.int_at("timeline");
    member.pending_restart = data.bool_at("pending_restart", false);
    if (auto position = data.find("xlog_location")) {
      member.lsn = Lsn(position->as_uint());
    }
  });
  if (member.name != leader && member.lsn) {
    member.lag_bytes = lag_bytes(leader_optime.value_or(Lsn()), *member.lsn);
  }
  return member;
}

} // namespace

const PatroniMember* PatroniCluster::leader() const
{
  const auto found = std::find_if(members.begin(), members.end(),
                                  [](const PatroniMember& m) { return is_leader(m.role); });
  return found == members.end() ? nullptr : &*found;
}

std::string leader_lock_holder(std::string_view scope, const std::vector<json>& config_maps)
{
  const json* leader_map = find_config_map(config_maps, std::string(scope) + "-leader");
  return leader_map ? annotation(*leader_map, "leader").value_or("") : std::string();
}

Expected<std::optional<PatroniCluster>, std::string> read_patroni_dcs(
  std::string_view scope, const std::vector<json>& config_maps,
  const std::vector<json>& member_pods)
{
  const std::string prefix(scope);
  const json* leader_map = find_config_map(config_maps, prefix + "-leader");
  const json* sync_map = find_config_map(config_maps, prefix + "-sync");
  const json* config_map = find_config_map(config_maps, prefix + "-config");
  if (leader_map == nullptr && sync_map == nullptr && config_map == nullptr) {
    return std::optional<PatroniCluster>();
  }
  try {
    PatroniCluster cluster;
    bool standby_cluster = false;
    read_annotation_json(config_map, "ConfigMap", "config", [&](const JsonView& config) {
      if (config.json().is_null()) {
        return;
      }
      cluster.paused = config.bool_at("pause", false);
      const auto standby = config.find("standby_cluster");
      standby_cluster = standby && standby->json().is_object() && !standby->json().empty();
    });
    if (config_map != nullptr) {
      if (auto history = annotation(*config_map, "history"); history && !history->empty()) {
        cluster.history = std::move(history);
      }
    }

    const std::string leader = leader_lock_holder(scope, config_maps);
    const auto sync_standbys =
      split_names(sync_map ? annotation(*sync_map, "sync_standby").value_or("") : std::string());
    const auto leader_optime = optime(leader_map);
    for (const auto& pod : member_pods) {
      cluster.members.push_back(
        member_from_pod(pod, leader, sync_standbys, standby_cluster, leader_optime));
    }
    std::sort(cluster.members.begin(), cluster.members.end(),
              [](const PatroniMember& a, const PatroniMember& b) { return a.name < b.name; });
    return std::optional(std::move(cluster));
  } catch (const JsonError& e) {
    return unexpected(std::string(e.what()));
  }
}

} // namespace kpg::pg
