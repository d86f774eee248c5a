// kubectl pg create NAME [-f cluster.yaml] [flags]
// Renders the manifests of a highly available PostgreSQL cluster and applies
// them with server-side apply (fieldManager kubectl-pg), or prints them
// (--dry-run=client) or has the API server check them (--dry-run=server).
// With --wait, waits until the cluster is ready and explains what is stuck on
// timeout (exit code 6).

#include "cmd/commands.hpp"
#include "cmd/help.hpp"
#include "core/base64.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "kube/apply_set.hpp"
#include "kube/client_config.hpp"
#include "kube/session.hpp"
#include "pg/cluster_wait.hpp"
#include "pg/stored_spec.hpp"
#include "render/cluster_renderer.hpp"
#include "render/manifest_output.hpp"
#include "render/passwords.hpp"
#include "render/spec_change.hpp"
#include "render/spec_loader.hpp"
#include "render/template_set.hpp"
#include "ui/progress.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace kpg::cmd {

namespace {

struct CreateOptions
{
  std::string filename; // -f: spec file, "-" for stdin, "" for none
  std::string dry_run = "none";
  std::string output; // -o of --dry-run: yaml (the default) or json
  std::string templates_dir; // --templates: replaces the embedded templates
  bool show_secrets = false;
  bool force_conflicts = false;
  std::optional<bool> wait;   // --wait[=false]; unset: wait when stderr is a terminal
  std::string timeout = "5m"; // --timeout for --wait
  render::SpecOverrides overrides;
};

std::optional<render::SpecFile> read_spec_file(const std::string& filename, Context& ctx)
{
  if (filename.empty()) {
    return std::nullopt;
  }
  std::ostringstream text;
  if (filename == "-") {
    text << ctx.in.rdbuf();
    return render::SpecFile{ text.str(), "<stdin>" };
  }
  std::ifstream in(filename, std::ios::binary);
  if (!in) {
    throw UsageError(fmt::format("reading the cluster spec: cannot open {}; check the path "
                                 "given to -f/--filename",
                                 filename));
  }
  text << in.rdbuf();
  return render::SpecFile{ text.str(), filename };
}

// complete: fold the global namespace flag into the overrides.
void complete(CreateOptions& options, const Context& ctx)
{
  if (!ctx.options.namespace_name.empty()) {
    options.overrides.namespace_name = ctx.options.namespace_name;
  }
}

// validate: flags that only make sense together; the timeout's syntax.
std::chrono::milliseconds validate(const CreateOptions& options)
{
  if (options.dry_run != "none" && options.wait.value_or(false)) {
    throw UsageError("--wait cannot be used with --dry-run: nothing is created to wait for");
  }
  if (options.dry_run == "none" && !options.output.empty()) {
    throw UsageError(fmt::format(
      "-o {} prints the manifests of --dry-run=client or --dry-run=server; without --dry-run "
      "create prints one line per object applied (add --dry-run=server -o {} to see what the "
      "API server would store)",
      options.output, options.output));
  }
  try {
    return kube::parse_request_timeout(options.timeout);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("--timeout {}: {}", options.timeout, e.what()));
  }
}

render::ManifestFormat manifest_format(const CreateOptions& options)
{
  return options.output == "json" ? render::ManifestFormat::json : render::ManifestFormat::yaml;
}

void print_withheld_note(const std::vector<std::string>& withheld, Context& ctx)
{
  if (withheld.empty()) {
    return;
  }
  ctx.err << fmt::format(
    "note: withheld the secret data of {} Secrets ({}): each value holds the placeholder "
    "\"{}\", so this output is safe in CI logs but must not be applied as is. Add "
    "--show-secrets to print the real values.\n",
    withheld.size(), fmt::join(withheld, ", "), render::k_withheld_password);
}

// The server's answer as printed by --dry-run=server: managedFields left out
// (as kubectl does), Secret data withheld unless --show-secrets.
nlohmann::ordered_json printable_answer(const nlohmann::json& answer, const CreateOptions& options,
                                        std::vector<std::string>& withheld)
{
  nlohmann::ordered_json out = answer;
  if (out.contains("metadata")) {
    out["metadata"].erase("managedFields");
  }
  if (out.value("kind", "") == "Secret" && !options.show_secrets && out.contains("data")) {
    for (auto& [key, value] : out["data"].items()) {
      value = base64_encode(render::k_withheld_password);
    }
    withheld.push_back(
      fmt::format("{}/{}", kube::metadata_field(answer, "namespace"), kube::object_name(answer)));
  }
  return out;
}

// "applying statefulset.apps/orders (object 17 of 21): <why>", then what was
// and was not applied, and that a re-run completes.
Error partial_failure(const kube::KubeError& error, const std::vector<nlohmann::json>& objects,
                      std::size_t failed, const kube::ApplySetOptions& apply)
{
  std::vector<std::string> not_applied;
  for (std::size_t i = failed; i < objects.size(); ++i) {
    auto ref = kube::object_ref(objects[i]);
    not_applied.push_back(ref ? *ref : objects[i].value("kind", "?"));
  }
  const auto what = fmt::format("{} {} (object {} of {})",
                                apply.dry_run == kube::DryRun::all ? "checking" : "applying",
                                not_applied.front(), failed + 1, objects.size());
  auto message = kube::to_command_error(error, what, kube::Access::write);
  return Error(fmt::format("{}\n{} objects were applied{}; not applied: {}.\nRe-run the same "
                           "command to complete it: applied objects come back unchanged and "
                           "existing Secrets are kept.",
                           message.what(), failed, failed > 0 ? " (listed above)" : "",
                           fmt::join(not_applied, ", ")),
               message.code(), message.format());
}

void wait_until_ready(kube::Session& session, const render::ClusterSpec& spec,
                      std::chrono::milliseconds timeout, const std::string& timeout_text,
                      ui::ProgressReporter& progress, Context& ctx)
{
  const pg::ReadinessGoal goal{ spec.namespace_name, spec.name, spec.members,
                                spec.pgpool.replicas };
  const auto started = ctx.clock.now();
  auto waited = pg::wait_for_cluster(session.client(), goal, started + timeout,
                                     [&](const pg::Readiness& r) { progress.update(r.text()); });
  if (!waited) {
    throw kube::to_command_error(
      waited.error(), fmt::format("waiting for cluster {}/{}", goal.namespace_name, goal.name),
      kube::Access::read);
  }
  progress.finish(waited->readiness.text());
  if (waited->ready) {
    ctx.out << fmt::format("cluster {}/{} is ready ({}): {}\n", goal.namespace_name, goal.name,
                           ui::format_elapsed(ctx.clock.now() - started), waited->readiness.text());
    return;
  }
  const auto report = pg::gather_stuck_report(session.client(), goal, *waited);
  throw Error(fmt::format("timed out after {} waiting for cluster {}/{} to be ready ({})\n{}"
                          "The cluster keeps starting in the background: check again with "
                          "`kubectl get pods -n {} -l {}`, or re-run create with a longer "
                          "--timeout (it changes nothing that is already applied).",
                          timeout_text, goal.namespace_name, goal.name, waited->readiness.text(),
                          pg::format_stuck_report(report), goal.namespace_name,
                          pg::cluster_pod_selector(goal.name)),
              ExitCode::timeout);
}

void apply_cluster(const CreateOptions& options, const render::ClusterSpec& spec,
                   const std::vector<nlohmann::ordered_json>& rendered_objects,
                   kube::Session& session, Context& ctx)
{
  const auto timeout = validate(options);
  const bool wait = options.dry_run == "none" && options.wait.value_or(ctx.stderr_is_tty);
  kube::ApplySetOptions apply;
  apply.dry_run = options.dry_run == "server" ? kube::DryRun::all : kube::DryRun::none;
  apply.force = options.force_conflicts ? kube::ForceConflicts::yes : kube::ForceConflicts::no;

  ui::ProgressReporter progress(ctx.err, ctx.clock,
                                ui::progress_style_for(ctx.stderr_is_tty, ctx.getenv));
  const auto objects = kube::in_apply_order(
    std::vector<nlohmann::json>(rendered_objects.begin(), rendered_objects.end()));
  kube::ExistingObjects before;
  if (apply.dry_run == kube::DryRun::none) {
    auto versions =
      kube::existing_objects(session.client(), objects, pg::cluster_pod_selector(spec.name), apply);
    if (!versions) {
      throw kube::to_command_error(versions.error(),
                                   fmt::format("reading the existing objects of cluster {}/{}",
                                               spec.namespace_name, spec.name),
                                   kube::Access::read);
    }
    before = std::move(*versions);
  }
  std::vector<nlohmann::ordered_json> answers;
  std::vector<std::string> withheld;
  std::vector<std::string> unchecked; // dry run: in a namespace that does not exist yet
  bool namespace_pending = false;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    auto applied = kube::apply_object(session.client(), objects[i], apply, before);
    if (!applied && namespace_pending && applied.error().is_not_found() &&
        applied.error().api()->status().kind == "namespaces") {
      unchecked.push_back(kube::object_ref(objects[i]).value());
      continue;
    }
    if (!applied) {
      throw partial_failure(applied.error(), objects, i, apply);
    }
    if (apply.dry_run == kube::DryRun::all) {
      namespace_pending |= objects[i].value("kind", "") == "Namespace" &&
                           applied->action == kube::ApplyAction::created;
      answers.push_back(printable_answer(applied->object, options, withheld));
      continue;
    }
    ctx.out << fmt::format("{} {}{}\n", applied->ref, kube::to_string(applied->action),
                           applied->action == kube::ApplyAction::kept
                             ? " (exists: kept as it is, its passwords are not replaced)"
                             : "");
    ctx.out.flush();
  }
  if (apply.dry_run == kube::DryRun::all) {
    ctx.out << render::format_manifests(answers, manifest_format(options));
    print_withheld_note(withheld, ctx);
    if (!unchecked.empty()) {
      ctx.err << fmt::format(
        "note: namespace {} does not exist yet, so the API server could not check the {} "
        "objects that go in it ({}); create the namespace (or use --namespace-exists with an "
        "existing one) and run --dry-run=server again to check them\n",
        spec.namespace_name, unchecked.size(), fmt::join(unchecked, ", "));
    }
    return;
  }
  if (!wait) {
    ctx.err << fmt::format("cluster {}/{} is starting; follow it with `kubectl get pods -n {} -l "
                           "{}`, or re-run create with --wait\n",
                           spec.namespace_name, spec.name, spec.namespace_name,
                           pg::cluster_pod_selector(spec.name));
    return;
  }
  progress.update(fmt::format("objects applied {}/{}", objects.size(), objects.size()));
  wait_until_ready(session, spec, timeout, options.timeout, progress, ctx);
}

// The namespace when neither -n nor the spec file names one, without
// connecting: the kubeconfig context's, as kubectl. --dry-run=client also
// works with no usable kubeconfig (reviewing manifests in CI): then "default".
std::string offline_default_namespace(const Context& ctx)
{
  try {
    return kube::load_rest_config(ctx).namespace_name;
  } catch (const UsageError&) {
    return "default";
  }
}

void print_warnings(const render::LoadedSpec& loaded, Context& ctx)
{
  for (const auto& warning : loaded.warnings) {
    ctx.err << fmt::format("warning: {}\n", warning);
  }
}

// The spec to apply when the cluster exists: without -f, the stored spec is
// the base and flags change it (so `create orders --members 5` changes only
// the member count); with -f, the file. Either way a change the running
// cluster cannot take is refused before anything is sent.
render::LoadedSpec resolve_existing(const CreateOptions& options, const render::SpecFile& stored,
                                    render::LoadedSpec wanted, const std::string& default_namespace,
                                    Context& ctx)
{
  const auto applied = render::load_cluster_spec(stored, {}, default_namespace);
  if (options.filename.empty()) {
    wanted = render::load_cluster_spec(stored, options.overrides, default_namespace);
    ctx.err << fmt::format("note: cluster {}/{} exists: using its stored spec ({}), changed only "
                           "by the flags given; pass -f to apply a whole spec instead\n",
                           wanted.spec.namespace_name, wanted.spec.name, stored.source);
  }
  const auto review = render::review_spec_change(applied.spec, wanted.spec);
  if (!review.refused.empty()) {
    throw UsageError(fmt::format("cluster {}/{} exists and this change cannot be applied to "
                                 "it (nothing was applied):\n  {}",
                                 wanted.spec.namespace_name, wanted.spec.name,
                                 fmt::join(review.refused, "\n  ")));
  }
  for (const auto& change : review.not_applied_live) {
    ctx.err << fmt::format("warning: {}\n", change);
  }
  return wanted;
}

render::RenderedDocuments render(const CreateOptions& options, const render::ClusterSpec& spec)
{
  const auto engine = render::to_string(spec.engine);
  const auto templates = options.templates_dir.empty()
                           ? render::TemplateSet::embedded(engine)
                           : render::TemplateSet::from_directory(options.templates_dir, engine);
  render::OpenSslPasswordSource passwords;
  render::OpenSslCertificateSource certificates;
  // Only --dry-run=client output can withhold: anything sent carries real secrets.
  const bool show = options.show_secrets || options.dry_run != "client";
  return render::render_cluster_documents(
    spec, templates, passwords, certificates,
    show ? render::SecretDisclosure::show : render::SecretDisclosure::withhold);
}

// --dry-run=client: render and print, without connecting.
void print_manifests(const CreateOptions& options, const std::optional<render::SpecFile>& file,
                     Context& ctx)
{
  const auto loaded =
    render::load_cluster_spec(file, options.overrides, offline_default_namespace(ctx));
  print_warnings(loaded, ctx);
  const auto rendered = render(options, loaded.spec);
  // YAML is printed as the templates rendered it (proven safe: template_proof.hpp);
  // JSON needs the objects.
  ctx.out << (options.output == "json"
                ? render::format_manifests(render::parse_documents(rendered.documents),
                                           render::ManifestFormat::json)
                : render::join_yaml_documents(rendered.documents));
  print_withheld_note(rendered.withheld_secrets, ctx);
}

// create sends one bounded batch: a read of the stored spec, one read per
// kind and one apply per object (about 45 requests with the built-in
// templates). The client-side burst covers it so the batch is not spread
// over seconds (kubectl sends apply batches unthrottled too).
constexpr int k_create_burst = 100;

void run_create(CreateOptions& options, Context& ctx)
{
  complete(options, ctx);
  validate(options);
  const auto file = read_spec_file(options.filename, ctx);
  if (options.dry_run == "client") {
    print_manifests(options, file, ctx);
    return;
  }
  kube::Session session(ctx, kube::SessionOptions{ k_create_burst });
  const auto& default_namespace = session.namespace_name();
  auto loaded = render::load_cluster_spec(file, options.overrides, default_namespace);
  const auto& wanted = loaded.spec;
  auto stored = pg::read_stored_spec(session.client(), wanted.namespace_name, wanted.name);
  if (!stored) {
    throw kube::to_command_error(stored.error(),
                                 fmt::format("reading the stored spec of cluster {}/{}",
                                             wanted.namespace_name, wanted.name),
                                 kube::Access::read);
  }
  if (*stored) {
    loaded = resolve_existing(options, **stored, std::move(loaded), default_namespace, ctx);
  }
  print_warnings(loaded, ctx);
  const auto rendered = render(options, loaded.spec);
  apply_cluster(options, loaded.spec, render::parse_documents(rendered.documents), session, ctx);
}

// --flag VALUE bound to an optional override.
template<typename T>
CLI::Option* add_override(CLI::App* sub, const std::string& name, std::optional<T>& target,
                          const std::string& description)
{
  return sub->add_option_function<T>(
    name, [&target](const T& value) { target = value; }, description);
}

// --flag VALUE for an enum, checked against its spellings.
template<typename T, typename Parse>
CLI::Option* add_enum_override(CLI::App* sub, const std::string& name, std::optional<T>& target,
                               Parse parse, std::vector<std::string> choices,
                               const std::string& description)
{
  return sub
    ->add_option_function<std::string>(
      name, [&target, parse](const std::string& value) { target = parse(value); }, description)
    ->check(CLI::IsMember(std::move(choices)));
}

// --flag KEY=VALUE, repeatable.
CLI::Option* add_pairs(CLI::App* sub, const std::string& name,
                       std::vector<std::pair<std::string, std::string>>& target,
                       const std::string& description)
{
  return sub
    ->add_option_function<std::vector<std::string>>(
      name,
      [&target, name](const std::vector<std::string>& values) {
        for (const auto& value : values) {
          const auto equals = value.find('=');
          if (equals == std::string::npos || equals == 0) {
            throw UsageError(fmt::format("{} \"{}\": write KEY=VALUE", name, value));
          }
          target.emplace_back(value.substr(0, equals), value.substr(equals + 1));
        }
      },
      description)
    ->type_name("KEY=VALUE")
    ->allow_extra_args(false);
}

void add_spec_flags(CLI::App* sub, render::SpecOverrides& o)
{
  const char* cluster = "Cluster (override the spec file)";
  add_enum_override(sub, "--engine", o.engine, render::parse_engine, { "patroni", "repmgr" },
                    "HA engine (default patroni; repmgr is not supported yet)")
    ->group(cluster);
  add_override(sub, "--postgres-version", o.postgres_version,
               "PostgreSQL major version: 15, 16 or 17 (default 17)")
    ->group(cluster);
  add_override(sub, "--members", o.members,
               "Number of PostgreSQL members, 1 primary + standbys (default 3)")
    ->group(cluster);
  sub
    ->add_flag_function(
      "--namespace-exists",
      [&o](std::int64_t) { o.namespace_policy = render::NamespacePolicy::exists; },
      "Do not render the Namespace object: it exists already")
    ->group(cluster);
  add_override(sub, "--storage-size", o.storage_size, "Volume size per member (default 10Gi)")
    ->group(cluster);
  add_override(sub, "--storage-class", o.storage_class,
               "StorageClass of the member volumes (default: the cluster's default)")
    ->group(cluster);
  add_override(sub, "--cpu-request", o.cpu_request, "CPU request per member (default 250m)")
    ->group(cluster);
  add_override(sub, "--memory-request", o.memory_request,
               "Memory request per member (default 512Mi)")
    ->group(cluster);
  add_override(sub, "--cpu-limit", o.cpu_limit, "CPU limit per member (default none)")
    ->group(cluster);
  add_override(sub, "--memory-limit", o.memory_limit, "Memory limit per member (default 1Gi)")
    ->group(cluster);
  add_enum_override(sub, "--synchronous-mode", o.synchronous_mode, render::parse_synchronous_mode,
                    { "off", "on", "strict" },
                    "Patroni synchronous replication: off, on or strict (default off)")
    ->group(cluster);
  add_pairs(sub, "--parameter", o.parameters,
            "PostgreSQL parameter NAME=VALUE, repeatable (e.g. --parameter work_mem=64MB)")
    ->group(cluster);
  add_override(sub, "--pgpool-replicas", o.pgpool_replicas, "pgpool-II pods (default 2)")
    ->group(cluster);
  add_override(sub, "--pgpool-num-init-children", o.num_init_children,
               "pgpool num_init_children: client sessions per pgpool pod (default 32)")
    ->group(cluster);
  add_override(sub, "--pgpool-max-pool", o.max_pool,
               "pgpool max_pool: cached backend connections per child (default 2)")
    ->group(cluster);
  add_enum_override(sub, "--service-type", o.service_type, render::parse_service_type,
                    { "ClusterIP", "NodePort", "LoadBalancer" },
                    "How the pgpool Service is exposed (default ClusterIP)")
    ->group(cluster);
  add_enum_override(sub, "--anti-affinity", o.anti_affinity, render::parse_anti_affinity,
                    { "preferred", "required" },
                    "Spread members over nodes: preferred or required (default preferred)")
    ->group(cluster);
  add_override(sub, "--image-registry", o.image_registry,
               "Registry (mirror) that replaces the default images' registry host")
    ->group(cluster);
  add_override(sub, "--spilo-image", o.spilo_image, "Spilo image, replacing the pinned default")
    ->group(cluster);
  add_override(sub, "--pgpool-image", o.pgpool_image,
               "pgpool-II image, replacing the pinned default")
    ->group(cluster);
  add_pairs(sub, "-l,--label", o.labels, "Label KEY=VALUE for every object, repeatable")
    ->group(cluster);
  add_pairs(sub, "--annotation", o.annotations, "Annotation KEY=VALUE for every object, repeatable")
    ->group(cluster);
}

} // namespace

void add_create_command(CLI::App& app, Context& ctx)
{
  auto options = std::make_shared<CreateOptions>();
  auto* sub = app.add_subcommand("create", "Create a highly available PostgreSQL cluster");
  sub->group(k_group_provisioning);
  set_long_description(*sub,
    "Create a highly available PostgreSQL cluster: a StatefulSet of Spilo members (Patroni "
    "elects the primary through the Kubernetes API) behind pgpool-II, with its Services, "
    "Secrets, ConfigMaps, RBAC, PodDisruptionBudgets and NetworkPolicy.\n\n"
    "The cluster is described by NAME and flags, or by a spec file (-f) that flags override. "
    "The objects are applied with server-side apply (field manager kubectl-pg) in dependency "
    "order, one line per object: created, configured or unchanged. Re-running is safe: "
    "Secrets that exist are never overwritten (passwords and certificates are kept), and an "
    "unchanged cluster stays unchanged. The resolved spec is stored in the ConfigMap "
    "NAME-spec; re-running create without -f starts from it, so flags change only what they "
    "name, and a change the running cluster cannot take (storage size or class, PostgreSQL "
    "major version, engine) is refused before anything is sent.\n\n"
    "--wait (the default when stderr is a terminal) waits until every member is Ready, one "
    "leader is elected, every replica streams and pgpool is Ready, showing progress; on "
    "--timeout it explains which pod is stuck and why. --dry-run=client prints the manifests "
    "(passwords withheld unless --show-secrets); --dry-run=server has the API server check "
    "them and prints its answer; neither changes anything.");
  sub->footer("Examples:\n"
              "  # Create a 3-member cluster named orders and wait until it is ready\n"
              "  kubectl pg create orders -n shop --wait\n\n"
              "  # Review the manifests of a cluster described in a file, with 5 members\n"
              "  kubectl pg create -f examples/production.yaml --members 5 --dry-run=client\n\n"
              "  # Let the API server validate everything, change nothing\n"
              "  kubectl pg create orders -n shop --dry-run=server -o json\n\n"
              "  # Synchronous replication, required anti-affinity, a mirror registry\n"
              "  kubectl pg create orders --synchronous-mode on --anti-affinity required \\\n"
              "      --image-registry mirror.example.com:5000 --wait --timeout 10m\n\n"
              "Exit codes: 0 done, 1 failed (what was and was not applied is listed; re-run "
              "to complete), 2 invalid flags or spec (nothing applied), 4 API server "
              "unreachable, 6 --wait timed out (with a diagnosis).");
  sub->add_option_function<std::string>(
    "NAME", [&o = options->overrides](const std::string& value) { o.name = value; },
    "Cluster name (overrides metadata.name of the spec file)");
  sub
    ->add_option("-f,--filename", options->filename,
                 "Cluster spec file (kind PostgresCluster); - reads standard input")
    ->type_name("FILE");
  sub
    ->add_option("--dry-run", options->dry_run,
                 "none (apply), client (print the manifests) or server (the API server "
                 "checks them; nothing is changed)")
    ->check(CLI::IsMember({ "none", "client", "server" }))
    ->capture_default_str();
  sub
    ->add_option("-o,--output", options->output,
                 "Output format of --dry-run=client|server: yaml (default) or json")
    ->check(CLI::IsMember({ "yaml", "json" }));
  sub->add_flag("--show-secrets", options->show_secrets,
                "Print passwords and keys in Secrets instead of a placeholder (--dry-run)");
  sub->add_flag("--force-conflicts", options->force_conflicts,
                "Take over fields another field manager owns (server-side apply force=true)");
  sub->add_flag_function(
    "--wait", [options](std::int64_t count) { options->wait = count > 0; },
    "Wait until the cluster is ready (default: when stderr is a terminal); --wait=false "
    "returns once everything is applied");
  sub
    ->add_option("--timeout", options->timeout,
                 "How long --wait waits: 90s, 5m, 1h (default 5m); then exit code 6")
    ->capture_default_str();
  sub
    ->add_option("--templates", options->templates_dir,
                 "Directory with <engine>/*.yaml templates replacing the built-in ones")
    ->type_name("DIR");
  add_spec_flags(sub, options->overrides);
  sub->callback([options, &ctx] { run_create(*options, ctx); });
}

} // namespace kpg::cmd
