#pragma once
// Kubernetes objects in the API server's JSON shape, and a healthy 3-member
// cluster "db/orders" (Patroni 3.0's DCS objects, its REST responses from
// fixtures/) that tests break one piece at a time.

#include "fixtures.hpp"
#include "pg/cluster_status.hpp"
#include "render/labels.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace kpg::test {

using nlohmann::json;

inline json labels_for(const std::string& component)
{
  return { { std::string(render::k_label_instance), "orders" },
           { std::string(render::k_label_managed_by), std::string(render::k_managed_by_value) },
           { std::string(render::k_label_component), component } };
}

struct PodSpec
{
  std::string name;
  std::string component = std::string(render::k_component_database);
  std::string ip;
  std::string node = "node-1";
  bool ready = true;
  std::string role_label; // spilo-role value, "" for none
  int restarts = 0;
  std::string waiting_reason;
};

inline PodSpec member_pod(std::string name, std::string ip, std::string node, std::string role)
{
  PodSpec spec;
  spec.name = std::move(name);
  spec.ip = std::move(ip);
  spec.node = std::move(node);
  spec.role_label = std::move(role);
  return spec;
}

inline PodSpec pgpool_pod(std::string name, std::string ip, std::string node)
{
  PodSpec spec = member_pod(std::move(name), std::move(ip), std::move(node), "");
  spec.component = std::string(render::k_component_pooler);
  return spec;
}

inline json pod(const PodSpec& spec)
{
  json labels = labels_for(spec.component);
  if (!spec.role_label.empty()) {
    labels[std::string(render::k_label_role)] = spec.role_label;
  }
  json state = spec.waiting_reason.empty()
                 ? json{ { "running", { { "startedAt", "2026-11-21T16:45:00Z" } } } }
                 : json{ { "waiting", { { "reason", spec.waiting_reason } } } };
  return { { "apiVersion", "v1" },
           { "kind", "Pod" },
           { "metadata",
             { { "name", spec.name },
               { "namespace", "db" },
               { "labels", labels },
               { "creationTimestamp", "2026-11-21T16:44:00Z" } } },
           { "spec", { { "nodeName", spec.node } } },
           { "status",
             { { "phase", "Running" },
               { "podIP", spec.ip },
               { "conditions",
                 { { { "type", "PodScheduled" }, { "status", "True" } },
                   { { "type", "Ready" }, { "status", spec.ready ? "True" : "False" } } } },
               { "containerStatuses",
                 { { { "name", "postgres" },
                     { "ready", spec.ready },
                     { "restartCount", spec.restarts },
                     { "state", state } } } } } } };
}

inline json volume_claim(const std::string& name, const std::string& phase,
                         const std::string& storage_class = "standard")
{
  json status = { { "phase", phase } };
  if (phase == "Bound") {
    status["capacity"] = { { "storage", "10Gi" } };
  }
  json spec = { { "accessModes", { "ReadWriteOnce" } },
                { "resources", { { "requests", { { "storage", "10Gi" } } } } } };
  if (!storage_class.empty()) {
    spec["storageClassName"] = storage_class;
  }
  return { { "apiVersion", "v1" },
           { "kind", "PersistentVolumeClaim" },
           { "metadata",
             { { "name", name }, { "namespace", "db" }, { "labels", labels_for("database") } } },
           { "spec", spec },
           { "status", status } };
}

inline json service(const std::string& name, const std::string& cluster_ip, int port,
                    const std::string& type = "ClusterIP", int node_port = 0)
{
  json port_spec = { { "name", "postgresql" }, { "port", port }, { "protocol", "TCP" } };
  if (node_port != 0) {
    port_spec["nodePort"] = node_port;
  }
  return { { "apiVersion", "v1" },
           { "kind", "Service" },
           { "metadata", { { "name", name }, { "namespace", "db" } } },
           { "spec",
             { { "type", type }, { "clusterIP", cluster_ip }, { "ports", { port_spec } } } } };
}

// The EndpointSlice of Service `name` (discovery.k8s.io/v1), as the
// endpointslice controller writes it.
inline json endpoint_slice(const std::string& name, const std::vector<std::string>& ready_ips,
                           int port, const std::vector<std::string>& not_ready_ips = {})
{
  json endpoints = json::array();
  for (const auto* ips : { &ready_ips, &not_ready_ips }) {
    for (const auto& ip : *ips) {
      endpoints.push_back(
        { { "addresses", { ip } }, { "conditions", { { "ready", ips == &ready_ips } } } });
    }
  }
  return { { "apiVersion", "discovery.k8s.io/v1" },
           { "kind", "EndpointSlice" },
           { "metadata",
             { { "name", name + "-x1y2z" },
               { "namespace", "db" },
               { "labels", { { "kubernetes.io/service-name", name } } } } },
           { "addressType", "IPv4" },
           { "endpoints", endpoints },
           { "ports", { { { "port", port }, { "protocol", "TCP" } } } } };
}

inline json workload(const std::string& kind, const std::string& name, int replicas, int ready,
                     const std::string& component, const std::string& image,
                     const std::string& namespace_name = "db",
                     const std::string& instance = "orders")
{
  json labels = labels_for(component);
  labels[std::string(render::k_label_instance)] = instance;
  if (kind == "StatefulSet") {
    labels[std::string(render::k_label_engine)] = std::string(render::k_engine_patroni);
  }
  return {
    { "apiVersion", "apps/v1" },
    { "kind", kind },
    { "metadata",
      { { "name", name },
        { "namespace", namespace_name },
        { "labels", labels },
        { "creationTimestamp", "2026-11-16T16:50:01Z" } } },
    { "spec",
      { { "replicas", replicas },
        { "template",
          { { "spec",
              { { "containers", { { { "name", component }, { "image", image } } } } } } } } } },
    { "status", { { "replicas", replicas }, { "readyReplicas", ready } } }
  };
}

// Patroni's DCS ConfigMaps of cluster "orders" (patroni/dcs/kubernetes.py with
// use_configmaps, pg/patroni_dcs.hpp), as a LIST returns them.
struct DcsSpec
{
  std::string leader = "orders-0"; // annotation leader of orders-leader ("" none)
  std::uint64_t optime = 83886408; // its optime, bytes (0/5000148)
  std::string sync_standby;        // annotation sync_standby of orders-sync
  json config = json::object();    // annotation config of orders-config
  std::string history = read_fixture("patroni/history.json"); // "" none
};

inline json config_map(const std::string& name, const json& annotations)
{
  return { { "metadata",
             { { "name", name },
               { "namespace", "db" },
               { "labels",
                 { { "app.kubernetes.io/name", "postgresql" },
                   { std::string(render::k_label_instance), "orders" } } },
               { "annotations", annotations } } } };
}

inline std::vector<json> patroni_config_maps(const DcsSpec& spec)
{
  json leader = json::object();
  if (!spec.leader.empty()) {
    leader = { { "leader", spec.leader },
               { "optime", std::to_string(spec.optime) },
               { "acquireTime", "2026-11-21T16:45:30.5+00:00" },
               { "renewTime", "2026-11-21T16:50:01.2+00:00" },
               { "transitions", "3" },
               { "ttl", "30" } };
  }
  json sync = { { "leader", spec.leader } };
  if (!spec.sync_standby.empty()) {
    sync["sync_standby"] = spec.sync_standby;
  }
  json config = { { "config", spec.config.dump() }, { "initialize", "7311111111111111111" } };
  if (!spec.history.empty()) {
    config["history"] = spec.history;
  }
  return { config_map("orders-config", config), config_map("orders-leader", leader),
           config_map("orders-sync", sync) };
}

// Patroni 3.0's member data (annotation status of a member pod; role "master",
// replicas "running"). xlog_location in bytes; < 0 leaves it out.
inline json member_data(const std::string& ip, const std::string& role, std::int64_t timeline,
                        std::int64_t xlog_location, const std::string& state = "running")
{
  json data = { { "conn_url", "postgres://" + ip + ":5432/postgres" },
                { "api_url", "http://" + ip + ":8008/patroni" },
                { "state", state },
                { "role", role },
                { "version", "3.0.2" },
                { "timeline", timeline } };
  if (xlog_location >= 0) {
    data["xlog_location"] = xlog_location;
  }
  return data;
}

inline json with_member_data(json pod, const json& data)
{
  pod["metadata"]["annotations"]["status"] = data.dump();
  return pod;
}

// A healthy cluster: orders-0 leader (timeline 4), orders-1 and orders-2
// streaming, two pgpool pods seeing both backends up, every Service with
// endpoints, every PVC bound.
inline pg::StatusInputs healthy_inputs()
{
  pg::StatusInputs in;
  in.namespace_name = "db";
  in.name = "orders";
  in.statefulset =
    workload("StatefulSet", "orders", 3, 3, "database", "ghcr.io/zalando/spilo-16:4.0-p2");
  in.pgpool_deployment =
    workload("Deployment", "orders-pgpool", 2, 2, "pooler", "docker.io/pgpool/pgpool:4.5.4");
  // orders-2 reports no WAL position: its lag is unknown.
  in.pods = { with_member_data(pod(member_pod("orders-0", "10.244.0.11", "node-1", "master")),
                               member_data("10.244.0.11", "master", 4, 83886408)),
              with_member_data(pod(member_pod("orders-2", "10.244.0.13", "node-3", "replica")),
                               member_data("10.244.0.13", "replica", 4, -1)),
              with_member_data(pod(member_pod("orders-1", "10.244.0.12", "node-2", "replica")),
                               member_data("10.244.0.12", "replica", 4, 83886408)),
              pod(pgpool_pod("orders-pgpool-7d9f8-abcde", "10.244.0.21", "node-1")),
              pod(pgpool_pod("orders-pgpool-7d9f8-fghij", "10.244.0.22", "node-2")) };
  in.volume_claims = { volume_claim("pgdata-orders-0", "Bound"),
                       volume_claim("pgdata-orders-1", "Bound"),
                       volume_claim("pgdata-orders-2", "Bound") };
  in.services = { service("orders-replica", "10.96.0.12", 5432),
                  service("orders-primary", "10.96.0.11", 5432),
                  service("orders", "10.96.0.10", 5432, "NodePort", 30432),
                  service("orders-headless", "None", 5432) };
  in.endpoint_slices = { endpoint_slice("orders-primary", { "10.244.0.11" }, 5432),
                         endpoint_slice("orders-replica", { "10.244.0.12", "10.244.0.13" }, 5432),
                         endpoint_slice("orders", { "10.244.0.21", "10.244.0.22" }, 5432),
                         endpoint_slice("orders-headless",
                                        { "10.244.0.11", "10.244.0.12", "10.244.0.13" }, 5432) };
  in.config_maps = patroni_config_maps({});
  in.patroni_nodes.emplace("orders-0", read_fixture("patroni/node_primary_v3.json"));
  in.patroni_nodes.emplace("orders-1", read_fixture("patroni/node_replica_v3.json"));
  in.patroni_nodes.emplace("orders-2", read_fixture("patroni/node_replica_v3.json"));
  in.pool_nodes.emplace("orders-pgpool-7d9f8-abcde", read_fixture("psql/pool_nodes.txt"));
  in.pool_nodes.emplace("orders-pgpool-7d9f8-fghij", read_fixture("psql/pool_nodes.txt"));
  return in;
}

} // namespace kpg::test
