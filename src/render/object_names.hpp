#pragma once
// The names of the Kubernetes objects one cluster consists of, derived from
// the cluster name. Later commands (status, failover, delete) find the
// objects through these, so they are defined once, here.

#include <string>

namespace kpg::render {

struct ObjectNames
{
  explicit ObjectNames(const std::string& cluster);

  std::string statefulset;       // <name>: the Spilo members; also Patroni's scope
  std::string service_account;   // <name>-patroni
  std::string role;              // <name>-patroni
  std::string role_binding;      // <name>-patroni
  std::string headless_service;  // <name>-headless: stable pod DNS
  std::string primary_service;   // <name>-primary: the leader
  std::string replica_service;   // <name>-replica: the standbys
  std::string pgpool;            // <name>-pgpool: Deployment, Service, ConfigMap
  std::string patroni_config;    // <name>-patroni-settings: ConfigMap with SPILO_CONFIGURATION
  std::string superuser_secret;  // <name>-superuser
  std::string replication_secret; // <name>-replication
  std::string pgpool_secret;     // <name>-pgpool: pgpool's sr_check/health_check user
  std::string pgpool_admin_secret; // <name>-pgpool-admin: the PCP user
  std::string patroni_api_secret; // <name>-patroni-api: basic auth on unsafe REST endpoints
  std::string tls_secret;        // <name>-tls: CA and server certificate (members, pgpool)
  std::string spec_config;       // <name>-spec: ConfigMap with the cluster's spec (spec.yaml)
  std::string members_pdb;       // <name>
  std::string pgpool_pdb;        // <name>-pgpool
  std::string network_policy;    // <name>
};

} // namespace kpg::render
