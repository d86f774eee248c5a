#pragma once
// The model `kubectl pg list [-A]` prints: one row per cluster kubectl-pg
// manages, built from one LIST per kind (StatefulSets, Deployments, pods, each
// with the selector render::k_managed_selector, paginated by the caller) and no
// per-cluster request, so it stays fast for thousands of clusters. Objects are
// grouped by namespace and the app.kubernetes.io/instance label; members and
// pgpool are told apart by app.kubernetes.io/component (render/labels.hpp); the
// leader is the member pod whose role label marks it.
//
// Text: NAMESPACE (with -A), NAME, ENGINE, MEMBERS (ready/desired), LEADER,
// PGPOOL (ready/desired), AGE, HEALTH; -o wide adds IMAGE and REASON.
// -o json|yaml: {kind: "ClusterList", schemaVersion: 1, items: [{namespace,
// name, engine, membersReady, membersDesired, leader (pod | null), pgpoolReady,
// pgpoolDesired, created (RFC 3339 | null), health: healthy | degraded,
// reasons: [string]}]}. -o name: "cluster/<name>" per row.

#include "core/json_fields.hpp"
#include "core/time_format.hpp"
#include "ui/printer.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kpg::pg {

struct ClusterRow
{
  std::string namespace_name;
  std::string name;
  std::string engine; // "patroni", "repmgr", or "" when the label is missing
  std::int64_t members_ready = 0;
  std::int64_t members_desired = 0;
  std::vector<std::string> leaders; // member pods labelled as leader (normally one)
  std::int64_t pgpool_ready = 0;
  std::int64_t pgpool_desired = 0;
  std::optional<WallTime> created; // the StatefulSet's creationTimestamp
  std::string image;               // the members' image
  // Why the row is degraded, short: "members 2/3", "no leader", "2 leaders",
  // "pgpool 1/2", "no StatefulSet". Empty when healthy.
  std::vector<std::string> reasons;

  bool healthy() const
  {
    return reasons.empty();
  }
};

enum class NamespaceColumn
{
  hidden,
  shown
}; // shown for list -A

class ClusterList : public ui::Printable
{
public:
  ClusterList(std::vector<ClusterRow> rows, NamespaceColumn namespace_column, WallTime now);

  const std::vector<ClusterRow>& rows() const
  {
    return m_rows;
  }

  nlohmann::ordered_json to_json() const override;
  void print_text(std::ostream& out, ui::Table::Width width,
                  const ui::Palette& palette) const override;
  std::vector<std::string> names() const override;

private:
  std::vector<ClusterRow> m_rows;
  NamespaceColumn m_namespace_column;
  WallTime m_now;
};

// What build_cluster_rows reads of a StatefulSet or Deployment: metadata
// (name, namespace, labels, creationTimestamp), spec.replicas, the
// containers' images and status.readyReplicas. list parses only these fields
// of each listed object (ListOptions::item_fields): a few hundred bytes of an
// object of several kB, so the page's DOM is never built whole.
FieldMask workload_fields();
// What it reads of a pod: metadata name, namespace and labels.
FieldMask pod_fields();

// One row per (namespace, instance label) found in any of the three lists,
// sorted by namespace then name. Objects without the instance label are
// ignored. Every cluster but engine "repmgr" (which does not label roles) is
// checked for a leader.
std::vector<ClusterRow> build_cluster_rows(const std::vector<nlohmann::json>& statefulsets,
                                           const std::vector<nlohmann::json>& deployments,
                                           const std::vector<nlohmann::json>& pods);

} // namespace kpg::pg
