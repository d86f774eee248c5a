#pragma once
// What re-applying a cluster with a changed spec can and cannot do. create
// compares the spec stored with the running cluster (ConfigMap <name>-spec)
// with the new one before sending anything:
//   - refused: fields whose change the API server rejects or that would put the
//     data at risk. A StatefulSet's volumeClaimTemplates are immutable (the
//     StatefulSet validation in kubernetes pkg/apis/apps/validation allows
//     updates to replicas, template, updateStrategy, minReadySeconds,
//     ordinals and persistentVolumeClaimRetentionPolicy only), and a new
//     PostgreSQL major version cannot start on the old data directory;
//   - not applied live: fields Patroni reads only when the cluster is
//     bootstrapped (bootstrap.dcs: postgresql parameters, synchronous mode,
//     max_connections derived from pgpool's pool sizes);
//     the new value is stored and rendered but the running cluster keeps
//     its DCS configuration.
// Each entry reads "<field path>: <old> -> <new>: <why and the fix>".

#include "render/cluster_spec.hpp"

#include <string>
#include <vector>

namespace kpg::render {

struct SpecChangeReview
{
  std::vector<std::string> refused;
  std::vector<std::string> not_applied_live;
};

SpecChangeReview review_spec_change(const ClusterSpec& applied, const ClusterSpec& wanted);

} // namespace kpg::render
