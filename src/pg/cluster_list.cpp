#include "pg/cluster_list.hpp"

#include "pg/kube_objects.hpp"
#include "render/labels.hpp"
#include "ui/human.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>

namespace kpg::pg {

namespace {

using Key = std::pair<std::string, std::string>; // namespace, cluster name

std::string namespace_of(const nlohmann::json& object)
{
  const auto& metadata = object.value("metadata", nlohmann::json::object());
  return metadata.value("namespace", "");
}

void add_reasons(ClusterRow& row, bool has_statefulset)
{
  if (!has_statefulset) {
    row.reasons.push_back("no StatefulSet");
  } else if (row.members_ready < row.members_desired) {
    row.reasons.push_back(fmt::format("members {}/{}", row.members_ready, row.members_desired));
  }
  if (row.engine != render::k_engine_repmgr && row.members_ready > 0) {
    if (row.leaders.empty()) {
      row.reasons.push_back("no leader");
    } else if (row.leaders.size() > 1) {
      row.reasons.push_back(fmt::format("{} leaders", row.leaders.size()));
    }
  }
  if (row.pgpool_ready < row.pgpool_desired) {
    row.reasons.push_back(fmt::format("pgpool {}/{}", row.pgpool_ready, row.pgpool_desired));
  }
}

} // namespace

FieldMask workload_fields()
{
  return { "metadata.name",       "metadata.namespace",
           "metadata.labels",     "metadata.creationTimestamp",
           "spec.replicas",       "spec.template.spec.containers.image",
           "status.readyReplicas" };
}

FieldMask pod_fields()
{
  return { "metadata.name", "metadata.namespace", "metadata.labels" };
}

std::vector<ClusterRow> build_cluster_rows(const std::vector<nlohmann::json>& statefulsets,
                                           const std::vector<nlohmann::json>& deployments,
                                           const std::vector<nlohmann::json>& pods)
{
  std::map<Key, ClusterRow> rows;
  std::map<Key, bool> has_statefulset;
  auto row_for = [&](const nlohmann::json& object) -> ClusterRow* {
    const std::string instance = label(object, render::k_label_instance);
    if (instance.empty()) {
      return nullptr;
    }
    Key key{ namespace_of(object), instance };
    auto [it, inserted] = rows.try_emplace(key);
    if (inserted) {
      it->second.namespace_name = key.first;
      it->second.name = key.second;
    }
    return &it->second;
  };
  for (const auto& statefulset : statefulsets) {
    if (ClusterRow* row = row_for(statefulset)) {
      const WorkloadFacts facts = read_workload(statefulset);
      row->engine = label(statefulset, render::k_label_engine);
      row->members_desired += facts.desired;
      row->members_ready += facts.ready;
      row->created = facts.created;
      row->image = facts.image;
      has_statefulset[{ row->namespace_name, row->name }] = true;
    }
  }
  for (const auto& deployment : deployments) {
    if (ClusterRow* row = row_for(deployment)) {
      const WorkloadFacts facts = read_workload(deployment);
      row->pgpool_desired += facts.desired;
      row->pgpool_ready += facts.ready;
    }
  }
  for (const auto& pod : pods) {
    if (label(pod, render::k_label_component) != render::k_component_database ||
        !render::is_leader_role_value(label(pod, render::k_label_role))) {
      continue;
    }
    if (ClusterRow* row = row_for(pod)) {
      row->leaders.push_back(read_pod(pod).name);
    }
  }
  std::vector<ClusterRow> result;
  result.reserve(rows.size());
  for (auto& [key, row] : rows) {
    std::sort(row.leaders.begin(), row.leaders.end(),
              [](const auto& a, const auto& b) { return ordinal_less(a, b); });
    add_reasons(row, has_statefulset[key]);
    result.push_back(std::move(row));
  }
  return result;
}

ClusterList::ClusterList(std::vector<ClusterRow> rows, NamespaceColumn namespace_column,
                         WallTime now)
  : m_rows(std::move(rows))
  , m_namespace_column(namespace_column)
  , m_now(now)
{
}

nlohmann::ordered_json ClusterList::to_json() const
{
  using ojson = nlohmann::ordered_json;
  ojson items = ojson::array();
  for (const auto& row : m_rows) {
    items.push_back(
      { { "namespace", row.namespace_name },
        { "name", row.name },
        { "engine", row.engine.empty() ? ojson(nullptr) : ojson(row.engine) },
        { "membersReady", row.members_ready },
        { "membersDesired", row.members_desired },
        { "leader", row.leaders.size() == 1 ? ojson(row.leaders.front()) : ojson(nullptr) },
        { "pgpoolReady", row.pgpool_ready },
        { "pgpoolDesired", row.pgpool_desired },
        { "created", row.created ? ojson(format_rfc3339_utc(*row.created)) : ojson(nullptr) },
        { "health", row.healthy() ? "healthy" : "degraded" },
        { "reasons", row.reasons } });
  }
  return { { "kind", "ClusterList" }, { "schemaVersion", 1 }, { "items", std::move(items) } };
}

void ClusterList::print_text(std::ostream& out, ui::Table::Width width,
                             const ui::Palette& palette) const
{
  using Visibility = ui::Table::Visibility;
  std::vector<ui::Table::Column> columns;
  const bool namespaces = m_namespace_column == NamespaceColumn::shown;
  if (namespaces) {
    columns.push_back({ "namespace" });
  }
  for (const char* header : { "name", "engine", "members", "leader", "pgpool", "age", "health" }) {
    columns.push_back({ header });
  }
  columns.push_back({ "image", Visibility::wide_only });
  columns.push_back({ "reason", Visibility::wide_only });
  ui::Table table(std::move(columns));
  for (const auto& row : m_rows) {
    std::vector<ui::Table::Cell> cells;
    if (namespaces) {
      cells.emplace_back(row.namespace_name);
    }
    const std::string leader =
      row.leaders.empty() ? std::string("<none>") : fmt::format("{}", fmt::join(row.leaders, ","));
    const std::string age =
      row.created ? ui::format_age(std::chrono::floor<std::chrono::seconds>(m_now - *row.created))
                  : std::string("<unknown>");
    cells.emplace_back(row.name);
    cells.emplace_back(row.engine.empty() ? std::string("<unknown>") : row.engine);
    cells.emplace_back(fmt::format("{}/{}", row.members_ready, row.members_desired));
    cells.emplace_back(leader);
    cells.emplace_back(fmt::format("{}/{}", row.pgpool_ready, row.pgpool_desired));
    cells.emplace_back(age);
    cells.emplace_back(row.healthy() ? "healthy" : "degraded",
                       row.healthy() ? ui::Color::green : ui::Color::yellow);
    cells.emplace_back(row.image);
    cells.emplace_back(fmt::format("{}", fmt::join(row.reasons, ", ")));
    table.add_row(std::move(cells));
  }
  table.render(out, width, palette);
}

std::vector<std::string> ClusterList::names() const
{
  std::vector<std::string> names;
  names.reserve(m_rows.size());
  for (const auto& row : m_rows) {
    names.push_back("cluster/" + row.name);
  }
  return names;
}

} // namespace kpg::pg
