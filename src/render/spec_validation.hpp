#pragma once
// Checks a complete ClusterSpec (file + flags + defaults) against the rules
// Kubernetes, Patroni and pgpool-II impose, before anything is rendered.
// Pure: no I/O. Every message names where the value came from (file position
// or flag, from FieldOrigins), the field path, the value and the fix.

#include "render/cluster_spec.hpp"

#include <string>
#include <vector>

namespace kpg::render {

// The longest cluster name: the StatefulSet's pods carry the label
// controller-revision-hash = "<name>-<10-character hash>", and label values
// are limited to 63 characters.
inline constexpr std::size_t k_max_cluster_name = 52;
// PostgreSQL's default superuser_reserved_connections.
inline constexpr int k_reserved_connections = 3;
// Connections kept free beyond pgpool's worst case when kubectl-pg picks
// max_connections: superusers, replication, Patroni and monitoring.
inline constexpr int k_connection_headroom = 20;

struct ValidationResult
{
  std::vector<std::string> errors;   // any error: nothing may be rendered
  std::vector<std::string> warnings; // allowed, but the user should know
};

ValidationResult validate_cluster_spec(const ClusterSpec& spec, const FieldOrigins& origins);

// The most backend connections pgpool can open to one PostgreSQL server:
// replicas x num_init_children x max_pool.
long long pgpool_backend_connections(const ClusterSpec& spec);

// max_connections as rendered: the spec's parameter when set, else pgpool's
// worst case plus k_connection_headroom.
std::string effective_max_connections(const ClusterSpec& spec);

} // namespace kpg::render
