// kubectl pg delete NAME [--wait] [--timeout] [--delete-data] [--yes]:
// removes what create made, keeps the data unless asked (src/pg/cluster_delete.hpp).

#include "cmd/delete.hpp"

#include "cmd/commands.hpp"
#include "cmd/help.hpp"
#include "cmd/flag_values.hpp"
#include "core/error.hpp"
#include "kube/api_error.hpp"
#include "kube/resource_client.hpp"
#include "kube/session.hpp"
#include "kube/wait.hpp"
#include "pg/cluster_delete.hpp"
#include "pg/kube_objects.hpp"
#include "render/labels.hpp"
#include "ui/progress.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

namespace kpg::cmd {

namespace {

// --timeout 0: no limit (a year is as good).
constexpr std::chrono::hours k_no_limit{ 24 * 365 };

class Deleter
{
public:
  Deleter(const pg::DeletePlan& plan, const DeleteSettings& settings, kube::RestClient& client,
          Context& ctx)
    : m_plan(plan)
    , m_settings(settings)
    , m_client(client)
    , m_ctx(ctx)
  {
  }

  void remove_objects(pg::DeleteStage stage)
  {
    for (const auto& object : m_plan.objects) {
      if (object.stage == stage) {
        remove(object.type, object.name);
      }
    }
  }

  void remove_data()
  {
    const auto claims = kube::builtin_resource("v1", "PersistentVolumeClaim");
    for (const auto& name : m_plan.volume_claims) {
      remove(claims, name);
    }
    const auto config_maps = kube::builtin_resource("v1", "ConfigMap");
    for (const auto& name : m_plan.patroni_config_maps) {
      remove(config_maps, name);
    }
  }

  void remove_namespace()
  {
    remove(kube::builtin_resource("v1", "Namespace"), m_plan.namespace_name);
  }

  // Until no object of `type` matches `selector` (in the cluster's namespace,
  // or the Namespace itself when `type` is Namespace).
  void wait_until_gone(const kube::ResourceType& type, const std::string& selector,
                       std::string_view what)
  {
    const kube::ResourceClient resources(m_client, type, m_plan.namespace_name);
    ui::ProgressReporter progress(m_ctx.err, m_ctx.clock,
                                  ui::progress_style_for(m_ctx.stderr_is_tty, m_ctx.getenv));
    const auto describe = [&](const std::vector<nlohmann::json>& items) {
      return fmt::format("waiting for the {} of cluster {}/{} to go: {} left", what,
                         m_plan.namespace_name, m_plan.name, items.size());
    };
    kube::ListOptions selectors;
    if (type.kind == "Namespace") {
      selectors.field_selector = "metadata.name=" + m_plan.namespace_name;
    } else {
      selectors.label_selector = selector;
    }
    auto waited = kube::wait_for_list(
      resources, selectors, [](const std::vector<nlohmann::json>& items) { return items.empty(); },
      { .timeout = m_settings.timeout.count() > 0
                     ? m_settings.timeout
                     : std::chrono::duration_cast<std::chrono::milliseconds>(k_no_limit),
        .on_progress = [&](const auto& items) { progress.update(describe(items)); } });
    if (!waited) {
      throw kube::to_command_error(waited.error(),
                                   fmt::format("waiting for the {} of cluster {}/{} to go", what,
                                               m_plan.namespace_name, m_plan.name),
                                   kube::Access::read);
    }
    if (waited->outcome == kube::WaitOutcome::timed_out) {
      std::vector<std::string> left;
      for (const auto& item : waited->items) {
        const auto pod = pg::read_pod(item);
        left.push_back(pod.reason.empty() ? pod.name
                                          : fmt::format("{} ({})", pod.name, pod.reason));
      }
      throw Error(fmt::format("timed out after {} waiting for the {} of cluster {}/{} to go; "
                              "still there: {}. Re-run `kubectl pg delete {}` to finish",
                              m_settings.timeout_text, what, m_plan.namespace_name,
                              m_plan.name, fmt::join(left, ", "), m_plan.name),
                  ExitCode::timeout);
    }
    progress.finish(
      fmt::format("{} of cluster {}/{} gone", what, m_plan.namespace_name, m_plan.name));
  }

private:
  void remove(const kube::ResourceType& type, const std::string& name)
  {
    const kube::ResourceClient resources(m_client, type, m_plan.namespace_name);
    kube::DeleteOptions options;
    options.propagation_policy = "Background";
    const auto removed = resources.remove(name, options);
    if (!removed && !removed.error().is_not_found()) {
      auto error = kube::to_command_error(
        removed.error(),
        fmt::format("deleting {} {}/{}", type.group_resource(), m_plan.namespace_name, name),
        kube::Access::write);
      throw Error(
        fmt::format("{}. Re-run `kubectl pg delete {}` to finish", error.what(), m_plan.name),
        error.code(), error.format());
    }
    m_ctx.out << fmt::format("{} \"{}\" deleted\n", type.group_resource(), name);
  }

  const pg::DeletePlan& m_plan;
  const DeleteSettings& m_settings;
  kube::RestClient& m_client;
  Context& m_ctx;
};

std::string describe_action(const pg::DeletePlan& plan, const DeleteSettings& settings)
{
  std::string action = fmt::format("delete cluster {}/{}", plan.namespace_name, plan.name);
  const bool data = settings.data == DataPolicy::remove && plan.has_data();
  if (data) {
    action += " and its data";
  }
  std::vector<std::string> parts;
  if (!plan.objects.empty()) {
    parts.push_back(pg::count_by_kind(plan.objects));
  }
  if (data) {
    parts.push_back(pg::describe_data(plan));
  }
  action += ": " + fmt::format("{}", fmt::join(parts, ", "));
  if (settings.namespace_removal == NamespaceRemoval::remove) {
    action += fmt::format(", then namespace {} with everything in it", plan.namespace_name);
  }
  if (!data && plan.has_data()) {
    action += fmt::format(" (keeping {})", pg::describe_data(plan));
  }
  return action;
}

} // namespace

DeleteSettings validate_delete_options(const ClusterDeleteOptions& options)
{
  DeleteSettings settings;
  settings.wait = options.wait ? WaitPolicy::wait : WaitPolicy::no_wait;
  settings.timeout = parse_duration_flag("--timeout", options.timeout);
  settings.timeout_text = options.timeout;
  settings.data = options.delete_data ? DataPolicy::remove : DataPolicy::keep;
  settings.namespace_removal =
    options.delete_namespace ? NamespaceRemoval::remove : NamespaceRemoval::keep;
  settings.confirmation = options.yes ? ui::Confirmation::assume_yes : ui::Confirmation::ask;
  if (options.delete_namespace && !options.delete_data) {
    throw UsageError("--delete-namespace needs --delete-data: deleting the Namespace deletes the "
                     "PersistentVolumeClaims in it");
  }
  return settings;
}

void run_delete(const std::string& name, const DeleteSettings& settings, kube::RestClient& client,
                const std::string& namespace_name, Context& ctx)
{
  auto plan = pg::plan_delete(client, namespace_name, name);
  if (!plan) {
    throw kube::to_command_error(plan.error().error, plan.error().attempting, kube::Access::read);
  }
  if (plan->empty()) {
    throw Error(fmt::format("cluster \"{}\" not found in namespace \"{}\": nothing is labelled {} "
                            "or {}. `kubectl pg list -A` lists the clusters kubectl-pg manages",
                            name, namespace_name, render::cluster_selector(name),
                            render::database_selector(name)));
  }
  if (settings.namespace_removal == NamespaceRemoval::remove) {
    auto created = pg::namespace_created_for(client, namespace_name, name);
    if (!created) {
      throw kube::to_command_error(created.error().error, created.error().attempting,
                                   kube::Access::read);
    }
    if (!*created) {
      throw UsageError(fmt::format(
        "--delete-namespace: namespace {} was not created by kubectl-pg for cluster {} (it does "
        "not carry the labels {}); nothing was deleted. Delete it with kubectl if you mean to",
        namespace_name, name, render::cluster_selector(name)));
    }
  }
  const bool remove_data = settings.data == DataPolicy::remove;
  if (plan->objects.empty() && !remove_data) {
    ctx.err << fmt::format("cluster {}/{} has nothing left to delete but its data: {}; delete "
                           "them with --delete-data\n",
                           namespace_name, name, pg::describe_data(*plan));
    return;
  }
  ui::confirm(ctx, describe_action(*plan, settings), settings.confirmation);

  Deleter deleter(*plan, settings, client, ctx);
  const auto pods = kube::builtin_resource("v1", "Pod");
  deleter.remove_objects(pg::DeleteStage::workloads);
  if (settings.wait == WaitPolicy::wait || remove_data) {
    deleter.wait_until_gone(pods, render::cluster_selector(name), "pods");
  }
  deleter.remove_objects(pg::DeleteStage::after_pods);
  if (remove_data) {
    deleter.remove_data();
    if (settings.wait == WaitPolicy::wait) {
      deleter.wait_until_gone(kube::builtin_resource("v1", "PersistentVolumeClaim"),
                              render::database_selector(name), "PersistentVolumeClaims");
    }
  } else if (plan->has_data()) {
    ctx.err << fmt::format("kept {}; delete them with --delete-data\n", pg::describe_data(*plan));
  }
  if (settings.namespace_removal == NamespaceRemoval::remove) {
    deleter.remove_namespace();
    if (settings.wait == WaitPolicy::wait) {
      deleter.wait_until_gone(kube::builtin_resource("v1", "Namespace"), {}, "Namespace");
    }
  }
}

void add_delete_command(CLI::App& app, Context& ctx)
{
  auto options = std::make_shared<ClusterDeleteOptions>();
  auto* sub = app.add_subcommand("delete", "Delete a cluster, keeping its data unless asked");
  sub->group(k_group_operations);
  set_long_description(*sub,
    "Delete what `kubectl pg create` made for a cluster: every object labelled "
    "app.kubernetes.io/instance=NAME and app.kubernetes.io/managed-by=kubectl-pg, workloads "
    "first, then (once the pods have stopped, with --wait, the default) the Services, "
    "ConfigMaps, Secrets and RBAC objects.\n\n"
    "The data stays: the members' PersistentVolumeClaims and Patroni's own ConfigMaps (the "
    "cluster's identity), so `kubectl pg create NAME` later resumes with the same data. "
    "--delete-data removes them too, after the pods have stopped. The Namespace stays unless "
    "--delete-namespace is given and create made it for this cluster.\n\n"
    "Every delete asks for confirmation on a terminal; without one it needs --yes. A "
    "declined or missing confirmation deletes nothing and exits 5. Deleting a partly deleted "
    "cluster finishes the job.");
  sub->footer("Examples:\n"
              "  # Delete cluster orders in namespace shop, keep its volumes\n"
              "  kubectl pg delete orders -n shop\n\n"
              "  # In CI: no prompt, do not wait for the pods to stop\n"
              "  kubectl pg delete orders --yes --wait=false\n\n"
              "  # Delete everything, data included, and the namespace create made\n"
              "  kubectl pg delete orders --delete-data --delete-namespace --yes\n\n"
              "Exit codes: 0 deleted, 1 no such cluster or an API error (re-run to finish), 2 "
              "bad flags, 4 the cluster could not be read, 5 not confirmed, 6 timed out waiting.");
  sub->add_option("NAME", options->name, "Cluster name")->required();
  sub
    ->add_flag("--wait", options->wait,
               "Wait for the pods (and with --delete-data the volumes) to go; --wait=false "
               "returns after the deletes")
    ->default_str("true");
  sub->add_option("--timeout", options->timeout, "How long to wait; 0 means no limit")
    ->capture_default_str();
  sub->add_flag(
    "--delete-data", options->delete_data,
    "Also delete the PersistentVolumeClaims and Patroni's ConfigMaps: the data is lost");
  sub->add_flag("--delete-namespace", options->delete_namespace,
                "Also delete the Namespace, if create made it for this cluster (needs "
                "--delete-data)");
  sub->add_flag("-y,--yes", options->yes, "Do not ask for confirmation");
  sub->callback([options, &ctx] {
    const auto settings = validate_delete_options(*options);
    kube::Session session(ctx);
    run_delete(options->name, settings, session.client(), session.namespace_name(), ctx);
  });
}

} // namespace kpg::cmd
