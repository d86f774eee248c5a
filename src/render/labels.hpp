#pragma once
// The label keys and values kubectl-pg writes on the objects it manages and
// reads back: the renderer hands them to the templates (templates/<engine>/),
// status, list, connect and delete select and group by them. One place, so a
// renamed label is a one-line change here. Sources:
// https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/ and Spilo's
// environment contract (ENVIRONMENT.rst: KUBERNETES_ROLE_LABEL, KUBERNETES_LEADER_LABEL_VALUE,
// KUBERNETES_SCOPE_LABEL, KUBERNETES_LABELS).

#include <string>
#include <string_view>

namespace kpg::render {

// Kubernetes' recommended labels, on every object create renders.
inline constexpr std::string_view k_label_instance = "app.kubernetes.io/instance"; // cluster name
inline constexpr std::string_view k_label_managed_by = "app.kubernetes.io/managed-by";
inline constexpr std::string_view k_managed_by_value = "kubectl-pg";
inline constexpr std::string_view k_label_component = "app.kubernetes.io/component";
// What runs: "postgresql" on the members, their pods and their PVCs, "pgpool"
// on the pooler. The PVCs (volumeClaimTemplates) and Patroni's own ConfigMaps
// (KUBERNETES_LABELS plus the scope label, k_label_instance) carry only this
// and the instance label, not managed-by.
inline constexpr std::string_view k_label_name = "app.kubernetes.io/name";
inline constexpr std::string_view k_name_postgresql = "postgresql";
inline constexpr std::string_view k_name_pgpool = "pgpool";
// The cluster's name, and the major PostgreSQL version (members) or the pgpool
// image tag (pooler); read by nothing, for people and tools.
inline constexpr std::string_view k_label_part_of = "app.kubernetes.io/part-of";
inline constexpr std::string_view k_label_version = "app.kubernetes.io/version";
// The member StatefulSet and its pods.
inline constexpr std::string_view k_component_database = "database";
// The pgpool Deployment and its pods.
inline constexpr std::string_view k_component_pooler = "pooler";

// The HA engine of a cluster ("patroni" or "repmgr"), on the objects of the
// members and of pgpool (the StatefulSet, the Deployment, their pods; the
// renderer writes it). Clusters created before it existed lack it: list treats
// a missing label as the default engine (patroni) for its leader check.
inline constexpr std::string_view k_label_engine = "kubectl-pg.io/engine";
inline constexpr std::string_view k_engine_patroni = "patroni";
inline constexpr std::string_view k_engine_repmgr = "repmgr";

// The role label Patroni writes on each member pod (Spilo's default name). The
// leader's value is "master" with Spilo's defaults and Patroni < 4, "primary"
// with Patroni >= 4's; both are read as the leader.
inline constexpr std::string_view k_label_role = "spilo-role";
inline constexpr std::string_view k_role_value_master = "master";
inline constexpr std::string_view k_role_value_primary = "primary";
inline constexpr std::string_view k_role_value_replica = "replica";

// True for the values of k_label_role that mark the leader.
constexpr bool is_leader_role_value(std::string_view value)
{
  return value == k_role_value_master || value == k_role_value_primary;
}

// "app.kubernetes.io/managed-by=kubectl-pg": the selector list uses on every kind.
inline constexpr std::string_view k_managed_selector = "app.kubernetes.io/managed-by=kubectl-pg";

// The objects create made for cluster `name`:
// "app.kubernetes.io/instance=<name>,app.kubernetes.io/managed-by=kubectl-pg".
inline std::string cluster_selector(std::string_view name)
{
  return std::string(k_label_instance) + "=" + std::string(name) + "," +
         std::string(k_managed_selector);
}

// The members' pods, PVCs and Patroni's ConfigMaps of cluster `name`:
// "app.kubernetes.io/name=postgresql,app.kubernetes.io/instance=<name>".
inline std::string database_selector(std::string_view name)
{
  return std::string(k_label_name) + "=" + std::string(k_name_postgresql) + "," +
         std::string(k_label_instance) + "=" + std::string(name);
}

// Patroni's REST API port in each member pod.
inline constexpr int k_patroni_port = 8008;

} // namespace kpg::render
