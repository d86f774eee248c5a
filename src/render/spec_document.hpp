#pragma once
// The cluster spec as a PostgresCluster document (apiVersion
// pg.kubectl-pg.io/v1alpha1), every default resolved: what create stores with
// the cluster (ConfigMap <name>-spec, key spec.yaml) so later commands (status,
// scale, backup) need only the cluster's name. load_cluster_spec() reads it
// back to an equal ClusterSpec; fields that are "not set" (empty) are left out.

#include "render/cluster_spec.hpp"

#include <nlohmann/json.hpp>

namespace kpg::render {

// The ConfigMap key that holds the stored spec (YAML).
inline constexpr const char* k_stored_spec_key = "spec.yaml";

nlohmann::ordered_json cluster_spec_document(const ClusterSpec& spec);

// {requests: {cpu, memory}, limits: {...}} with the unset ones left out: the
// spec's and a container's `resources` have the same shape.
nlohmann::ordered_json resources_document(const Resources& resources);

} // namespace kpg::render
