#pragma once
// kubectl pg list [-A]: the run apart from the CLI11 wiring, for unit tests.
//
// Requests: three paginated LISTs (limit k_list_page_size, continue tokens),
// across all namespaces with -A: StatefulSets and Deployments with
// app.kubernetes.io/managed-by=kubectl-pg, and the metadata only
// (PartialObjectMetadataList) of the member pods Patroni labels leader
// (spilo-role in (master,primary)): the only pods the rows need. Of each
// page only the fields the rows read are parsed (pg::workload_fields,
// pg::pod_fields; core/json_fields.hpp). No request per cluster.
//
// Exit codes: 0 listed (whatever the clusters' health), 4 the API server
// could not be read (unreachable, credentials refused), 1 another API error,
// 2 bad flags.

#include "core/context.hpp"
#include "kube/rest_client.hpp"
#include "ui/output_format.hpp"

#include <string>

namespace kpg::cmd {

// Objects per LIST page. Ten times kubectl's --chunk-size (500): the page
// size only bounds one response's memory, and with client-go's limit of 5
// requests a second, 500 a page spent most of list -A's time over 10,000
// clusters waiting (60 pages; README "Tests and figures").
inline constexpr int k_list_page_size = 5000;

struct ClusterListOptions
{
  bool all_namespaces = false; // -A
  std::string output;          // -o
};

// Lists in `namespace_name` (ignored with -A) and prints on ctx.out; "No
// clusters found ..." on ctx.err when a table would be empty, as kubectl does.
// Throws kpg::Error when a LIST fails.
void run_list(const ClusterListOptions& options, kube::RestClient& client,
              const std::string& namespace_name, Context& ctx);

} // namespace kpg::cmd
