#include "pg/status_fetch.hpp"

#include "core/task_group.hpp"
#include "kube/api_error.hpp"
#include "kube/pod_proxy.hpp"
#include "kube/resource_client.hpp"
#include "pg/kube_objects.hpp"
#include "pg/patroni_dcs.hpp"
#include "pg/pgpool.hpp"
#include "pg/stat_replication.hpp"
#include "render/labels.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace kpg::pg {

namespace {

using nlohmann::json;

// A Patroni endpoint's body, or why it could not be read.
Fetched patroni_get(kube::RestClient& client, const std::string& namespace_name,
                    const std::string& pod, std::string_view path,
                    std::chrono::milliseconds timeout)
{
  kube::PodProxyRequest request;
  request.namespace_name = namespace_name;
  request.pod = pod;
  request.port = render::k_patroni_port;
  request.path = std::string(path);
  request.timeout = timeout;
  auto answer = kube::pod_proxy(client, request);
  if (!answer) {
    return unexpected(answer.error().text());
  }
  if (kube::is_api_status(*answer)) {
    return unexpected(
      kube::ApiError(kube::status_from_response(*answer, "get", "pods/proxy " + pod)).text());
  }
  if (answer->status < 200 || answer->status >= 300) {
    return unexpected(fmt::format("Patroni answered HTTP {} to GET {}", answer->status, path));
  }
  return std::move(answer->body);
}

std::chrono::milliseconds patroni_timeout(const kube::RestClient& client,
                                          const StatusFetchOptions& options)
{
  const auto request_timeout = client.config().request_timeout;
  if (request_timeout.count() > 0 && request_timeout < options.patroni_timeout) {
    return request_timeout;
  }
  return options.patroni_timeout;
}

// The pods of `component` that can be asked (they have an IP and are not going
// away), in ordinal order.
std::vector<PodFacts> askable_pods(const std::vector<json>& pods, std::string_view component)
{
  std::vector<PodFacts> found;
  for (const auto& pod : pods) {
    if (label(pod, render::k_label_component) == component) {
      PodFacts facts = read_pod(pod);
      if (!facts.ip.empty() && !facts.terminating) {
        found.push_back(std::move(facts));
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [](const PodFacts& a, const PodFacts& b) { return ordinal_less(a.name, b.name); });
  return found;
}

// The holder of Patroni's leader lock, else the member labelled leader, else "".
std::string leader_pod(const StatusInputs& inputs)
{
  if (std::string holder = leader_lock_holder(inputs.name, inputs.config_maps); !holder.empty()) {
    return holder;
  }
  for (const auto& pod : inputs.pods) {
    if (label(pod, render::k_label_component) == render::k_component_database &&
        render::is_leader_role_value(label(pod, render::k_label_role))) {
      return read_pod(pod).name;
    }
  }
  return {};
}

// One SQL run and how long it took (for the -v 6 line).
struct SqlRead
{
  PodCommand command;
  Fetched answer;
  std::chrono::milliseconds took{ 0 };
};

// Starts `command` on its own thread in `reads`.
void start_sql(TaskGroup<SqlRead>& reads, SqlRunner& sql, const Clock& clock, PodCommand command)
{
  reads.start([&sql, &clock, command = std::move(command)] {
    const auto start = clock.now();
    Fetched answer = sql.run(command);
    return SqlRead{ command, std::move(answer),
                    std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start) };
  });
}

// Patroni's REST API and SQL. The SQL execs (about 0.13 s each: a TLS
// connection, a WebSocket and psql) run on their own threads, at the same time
// as each other and as the GET /patroni requests, which stay on this thread.
// The inputs are filled in the same order whatever finishes first.
void fetch_patroni_and_sql(kube::RestClient& client, StatusInputs& inputs, SqlRunner& sql,
                           std::chrono::milliseconds timeout)
{
  const auto reason = sql.unavailable_reason();
  if (reason) {
    inputs.sql_unavailable = *reason;
  }
  TaskGroup<SqlRead> leader_read;
  TaskGroup<SqlRead> pool_reads;
  if (!reason) {
    if (const std::string leader = leader_pod(inputs); !leader.empty()) {
      start_sql(leader_read, sql, client.clock(),
                member_sql(inputs.namespace_name, leader, k_stat_replication_query));
    }
    for (const auto& pgpool : askable_pods(inputs.pods, render::k_component_pooler)) {
      start_sql(pool_reads, sql, client.clock(),
                pgpool_sql(inputs.namespace_name, pgpool.name, k_pool_nodes_query));
    }
  }
  for (const auto& member : askable_pods(inputs.pods, render::k_component_database)) {
    inputs.patroni_nodes.emplace(
      member.name, patroni_get(client, inputs.namespace_name, member.name, "patroni", timeout));
  }

  const auto log = [&client](const SqlRead& read) {
    client.logger().log(6, fmt::format("psql in pod {}/{} (container {}) over exec: {} in {} "
                                       "milliseconds",
                                       read.command.namespace_name, read.command.pod,
                                       read.command.container, read.answer ? "ok" : "failed",
                                       read.took.count()));
  };
  for (auto& read : leader_read.results()) {
    log(read);
    inputs.stat_replication = std::move(read.answer);
  }
  for (auto& read : pool_reads.results()) {
    log(read);
    inputs.pool_nodes.emplace(read.command.pod, std::move(read.answer));
  }
}

// The workload of `component` among the listed ones (null when absent).
json workload_of(const std::vector<json>& workloads, std::string_view component)
{
  const auto found = std::find_if(workloads.begin(), workloads.end(), [&](const json& workload) {
    return label(workload, render::k_label_component) == component;
  });
  return found == workloads.end() ? json() : *found;
}

} // namespace

Expected<std::vector<json>, FetchError> list_cluster_objects(kube::RestClient& client,
                                                             const kube::ResourceType& type,
                                                             const std::string& namespace_name,
                                                             const std::string& cluster,
                                                             const std::string& selector)
{
  const kube::ResourceClient resources(client, type, namespace_name);
  kube::ListOptions options;
  options.label_selector = selector;
  auto listed = resources.list_all(options);
  if (!listed) {
    return unexpected(FetchError{ fmt::format("listing the {} of cluster {}/{}",
                                              type.group_resource(), namespace_name, cluster),
                                  std::move(listed).error() });
  }
  return (*listed)["items"].get<std::vector<json>>();
}

Expected<StatusInputs, FetchError> fetch_status_inputs(kube::RestClient& client,
                                                       const std::string& namespace_name,
                                                       const std::string& name, SqlRunner& sql,
                                                       const StatusFetchOptions& options)
{
  StatusInputs inputs;
  inputs.namespace_name = namespace_name;
  inputs.name = name;
  std::vector<json> statefulsets;
  std::vector<json> deployments;
  const std::string selector = render::cluster_selector(name);
  const struct
  {
    std::string_view api_version;
    std::string_view kind;
    std::string selector;
    std::vector<json>* items;
  } lists[] = {
    { "apps/v1", "StatefulSet", selector, &statefulsets },
    { "apps/v1", "Deployment", selector, &deployments },
    { "v1", "Pod", selector, &inputs.pods },
    { "v1", "Service", selector, &inputs.services },
    { "discovery.k8s.io/v1", "EndpointSlice", selector, &inputs.endpoint_slices },
    { "v1", "PersistentVolumeClaim", render::database_selector(name), &inputs.volume_claims },
    { "v1", "ConfigMap", render::database_selector(name), &inputs.config_maps },
  };
  for (const auto& wanted : lists) {
    auto items =
      list_cluster_objects(client, kube::builtin_resource(wanted.api_version, wanted.kind),
                           namespace_name, name, wanted.selector);
    if (!items) {
      return unexpected(std::move(items).error());
    }
    *wanted.items = std::move(*items);
  }
  inputs.statefulset = workload_of(statefulsets, render::k_component_database);
  inputs.pgpool_deployment = workload_of(deployments, render::k_component_pooler);
  if (const std::string engine = label(inputs.statefulset, render::k_label_engine);
      !engine.empty()) {
    inputs.engine = engine;
  }
  if (!cluster_exists(inputs)) {
    return inputs;
  }

  fetch_patroni_and_sql(client, inputs, sql, patroni_timeout(client, options));
  return inputs;
}

bool cluster_exists(const StatusInputs& inputs)
{
  return !inputs.statefulset.is_null() || !inputs.pgpool_deployment.is_null() ||
         !inputs.pods.empty();
}

} // namespace kpg::pg
