// kubectl pg list [-A] [-o ...]: every cluster kubectl-pg manages, with a
// health summary, from one paginated LIST per kind (src/pg/cluster_list.hpp).

#include "cmd/list.hpp"

#include "cmd/commands.hpp"
#include "cmd/help.hpp"
#include "kube/api_error.hpp"
#include "kube/resource_client.hpp"
#include "kube/session.hpp"
#include "pg/cluster_list.hpp"
#include "render/labels.hpp"
#include "ui/printer.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

namespace kpg::cmd {

namespace {

std::vector<nlohmann::json> list_items(kube::RestClient& client, std::string_view api_version,
                                       std::string_view kind, const std::string& selector,
                                       const std::string& namespace_name)
{
  const kube::ResourceClient resources(client, kube::builtin_resource(api_version, kind),
                                       namespace_name);
  kube::ListOptions options;
  options.label_selector = selector;
  options.limit = k_list_page_size;
  const bool pods = kind == "Pod";
  // Of the pods only the labels count: their metadata is enough.
  options.form = pods ? kube::ListForm::metadata : kube::ListForm::objects;
  const FieldMask fields = pods ? pg::pod_fields() : pg::workload_fields();
  options.item_fields = &fields;
  auto listed = resources.list_all(options);
  if (!listed) {
    const std::string where = namespace_name.empty()
                                ? std::string("in all namespaces")
                                : fmt::format("in namespace {}", namespace_name);
    throw kube::to_command_error(
      listed.error(),
      fmt::format("listing the {} kubectl-pg manages {}", resources.type().group_resource(), where),
      kube::Access::read);
  }
  return std::move((*listed)["items"].get_ref<nlohmann::json::array_t&>());
}

} // namespace

void run_list(const ClusterListOptions& options, kube::RestClient& client,
              const std::string& namespace_name, Context& ctx)
{
  const auto format = ui::parse_output_format(options.output, ui::all_output_formats());
  const std::string scope = options.all_namespaces ? std::string() : namespace_name;
  const std::string managed(render::k_managed_selector);
  const std::string leaders = fmt::format(
    "{},{}={},{} in ({},{})", managed, render::k_label_component, render::k_component_database,
    render::k_label_role, render::k_role_value_master, render::k_role_value_primary);
  const auto statefulsets = list_items(client, "apps/v1", "StatefulSet", managed, scope);
  const auto deployments = list_items(client, "apps/v1", "Deployment", managed, scope);
  const auto leader_pods = list_items(client, "v1", "Pod", leaders, scope);
  auto rows = pg::build_cluster_rows(statefulsets, deployments, leader_pods);
  const bool text = format == ui::OutputFormat::table || format == ui::OutputFormat::wide;
  if (rows.empty() && text) {
    ctx.err << (options.all_namespaces
                  ? std::string("No clusters found.\n")
                  : fmt::format("No clusters found in {} namespace.\n", namespace_name));
    return;
  }
  const pg::ClusterList list(std::move(rows),
                             options.all_namespaces ? pg::NamespaceColumn::shown
                                                    : pg::NamespaceColumn::hidden,
                             ctx.clock.wall_now());
  ui::print(ctx.out, list, format, ui::Palette::for_stdout(ctx));
}

void add_list_command(CLI::App& app, Context& ctx)
{
  auto options = std::make_shared<ClusterListOptions>();
  auto* sub = app.add_subcommand("list", "List the clusters kubectl-pg manages, with their health");
  sub->group(k_group_operations);
  set_long_description(*sub,
    "List every cluster kubectl-pg manages in the namespace (or in all namespaces with -A): "
    "engine, members ready/desired, the leader Patroni labelled, pgpool ready/desired, age "
    "and health (-o wide adds the image and why a cluster is degraded). It reads one "
    "paginated LIST per kind (StatefulSets, Deployments, leader pods) and nothing per "
    "cluster, so it stays fast with thousands of clusters; `kubectl pg status NAME` reads "
    "one cluster in depth.");
  sub->footer("Examples:\n"
              "  # The clusters in the current namespace\n"
              "  kubectl pg list\n\n"
              "  # Every cluster in every namespace, with images and reasons\n"
              "  kubectl pg list -A -o wide\n\n"
              "  # As JSON, for scripts\n"
              "  kubectl pg list -A -o json\n\n"
              "Exit codes: 0 listed (whatever the clusters' health), 4 the API server could not "
              "be read, 1 another API error, 2 bad flags.");
  sub->add_flag("-A,--all-namespaces", options->all_namespaces,
                "List the clusters in all namespaces");
  sub->add_option("-o,--output", options->output,
                  "Output format: " + ui::describe_output_formats(ui::all_output_formats()));
  sub->callback([options, &ctx] {
    ui::parse_output_format(options->output, ui::all_output_formats()); // before connecting
    kube::Session session(ctx);
    run_list(*options, session.client(), session.namespace_name(), ctx);
  });
}

} // namespace kpg::cmd
