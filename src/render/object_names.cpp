#include "render/object_names.hpp"

namespace kpg::render {

ObjectNames::ObjectNames(const std::string& cluster)
  : statefulset(cluster),
    service_account(cluster + "-patroni"),
    role(cluster + "-patroni"),
    role_binding(cluster + "-patroni"),
    headless_service(cluster + "-headless"),
    primary_service(cluster + "-primary"),
    replica_service(cluster + "-replica"),
    pgpool(cluster + "-pgpool"),
    patroni_config(cluster + "-patroni-settings"),
    superuser_secret(cluster + "-superuser"),
    replication_secret(cluster + "-replication"),
    pgpool_secret(cluster + "-pgpool"),
    pgpool_admin_secret(cluster + "-pgpool-admin"),
    patroni_api_secret(cluster + "-patroni-api"),
    tls_secret(cluster + "-tls"),
    spec_config(cluster + "-spec"),
    members_pdb(cluster),
    pgpool_pdb(cluster + "-pgpool"),
    network_policy(cluster)
{
}

} // namespace kpg::render
