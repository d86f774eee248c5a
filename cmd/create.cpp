// kubectl pg create NAME [-f cluster.yaml] [flags] --dry-run=client -o yaml|json
// Renders the manifests of a highly available PostgreSQL cluster. Applying
// them (without --dry-run=client) arrives with the API client.

#include "cmd/commands.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "render/cluster_renderer.hpp"
#include "render/manifest_output.hpp"
#include "render/spec_loader.hpp"
#include "render/template_set.hpp"

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
  std::string filename;      // -f: spec file, "-" for stdin, "" for none
  std::string dry_run = "none";
  std::string output = "yaml";
  std::string templates_dir; // --templates: replaces the embedded templates
  bool show_secrets = false;
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
    return render::SpecFile{text.str(), "<stdin>"};
  }
  std::ifstream in(filename, std::ios::binary);
  if (!in) {
    throw UsageError(fmt::format("reading the cluster spec: cannot open {}; check the path "
                                 "given to -f/--filename",
                                 filename));
  }
  text << in.rdbuf();
  return render::SpecFile{text.str(), filename};
}

// complete: fold the global namespace flag into the overrides.
void complete(CreateOptions& options, const Context& ctx)
{
  if (!ctx.options.namespace_name.empty()) {
    options.overrides.namespace_name = ctx.options.namespace_name;
  }
}

void run_create(CreateOptions& options, Context& ctx)
{
  complete(options, ctx);
  const auto loaded = render::load_cluster_spec(read_spec_file(options.filename, ctx),
                                                options.overrides);
  for (const auto& warning : loaded.warnings) {
    ctx.err << fmt::format("warning: {}\n", warning);
  }
  if (options.dry_run != "client") {
    throw Error(fmt::format("creating cluster {}/{}: applying to the API server is not "
                            "available in this version of kubectl-pg; use --dry-run=client to "
                            "print the manifests for review (and kubectl apply -f to apply them)",
                            loaded.spec.namespace_name, loaded.spec.name));
  }
  const auto engine = render::to_string(loaded.spec.engine);
  const auto templates = options.templates_dir.empty()
                           ? render::TemplateSet::embedded(engine)
                           : render::TemplateSet::from_directory(options.templates_dir, engine);
  render::OpenSslPasswordSource passwords;
  const auto rendered = render::render_cluster_documents(
    loaded.spec, templates, passwords,
    options.show_secrets ? render::SecretDisclosure::show : render::SecretDisclosure::withhold);
  // YAML is printed as the templates rendered it (proven safe: template_proof.hpp);
  // JSON needs the objects.
  ctx.out << (options.output == "json"
                ? render::format_manifests(render::parse_documents(rendered.documents),
                                           render::ManifestFormat::json)
                : render::join_yaml_documents(rendered.documents));
  if (!rendered.withheld_secrets.empty()) {
    ctx.err << fmt::format(
      "note: withheld the passwords of {} Secrets ({}): each data.password holds the "
      "placeholder \"{}\", so this output is safe in CI logs but must not be applied as is. "
      "Add --show-secrets to print freshly generated passwords.\n",
      rendered.withheld_secrets.size(), fmt::join(rendered.withheld_secrets, ", "),
      render::k_withheld_password);
  }
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
  add_enum_override(sub, "--engine", o.engine, render::parse_engine, {"patroni", "repmgr"},
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
  add_enum_override(sub, "--synchronous-mode", o.synchronous_mode,
                    render::parse_synchronous_mode, {"off", "on", "strict"},
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
                    {"ClusterIP", "NodePort", "LoadBalancer"},
                    "How the pgpool Service is exposed (default ClusterIP)")
    ->group(cluster);
  add_enum_override(sub, "--anti-affinity", o.anti_affinity, render::parse_anti_affinity,
                    {"preferred", "required"},
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
  add_pairs(sub, "--annotation", o.annotations,
            "Annotation KEY=VALUE for every object, repeatable")
    ->group(cluster);
}

} // namespace

void add_create_command(CLI::App& app, Context& ctx)
{
  auto options = std::make_shared<CreateOptions>();
  auto* sub = app.add_subcommand("create", "Create a highly available PostgreSQL cluster");
  sub->group(k_group_provisioning);
  sub->description(
    "Create a highly available PostgreSQL cluster: a StatefulSet of Spilo members (Patroni "
    "elects the primary through the Kubernetes API) behind pgpool-II, with its Services, "
    "Secrets, ConfigMaps, RBAC, PodDisruptionBudgets and NetworkPolicy.\n\n"
    "The cluster is described by NAME and flags, or by a spec file (-f) that flags override. "
    "With --dry-run=client the manifests are printed, not applied: multi-document YAML or a "
    "JSON v1 List, identical for identical input except for generated passwords, which are "
    "withheld unless --show-secrets is given. Applying to the API server is not available "
    "in this version.");
  sub->footer("Examples:\n"
              "  # Review the manifests of a 3-member cluster named orders\n"
              "  kubectl pg create orders -n shop --dry-run=client -o yaml\n\n"
              "  # Render a cluster described in a file, with 5 members instead of its 3\n"
              "  kubectl pg create -f examples/production.yaml --members 5 --dry-run=client\n\n"
              "  # Synchronous replication, required anti-affinity, a mirror registry\n"
              "  kubectl pg create orders --synchronous-mode on --anti-affinity required \\\n"
              "      --image-registry mirror.example.com:5000 --dry-run=client -o json\n\n"
              "Exit codes: 0 rendered, 2 invalid flags or spec (nothing printed on stdout), "
              "1 not rendered for another reason.");
  sub->add_option_function<std::string>(
    "NAME", [&o = options->overrides](const std::string& value) { o.name = value; },
    "Cluster name (overrides metadata.name of the spec file)");
  sub->add_option("-f,--filename", options->filename,
                  "Cluster spec file (kind PostgresCluster); - reads standard input")
    ->type_name("FILE");
  sub->add_option("--dry-run", options->dry_run,
                  "none (apply; not available yet), client (print only) or server")
    ->check(CLI::IsMember({"none", "client", "server"}))
    ->capture_default_str();
  sub->add_option("-o,--output", options->output, "Output format with --dry-run=client")
    ->check(CLI::IsMember({"yaml", "json"}))
    ->capture_default_str();
  sub->add_flag("--show-secrets", options->show_secrets,
                "Print generated passwords in Secrets instead of a placeholder");
  sub->add_option("--templates", options->templates_dir,
                  "Directory with <engine>/*.yaml templates replacing the built-in ones")
    ->type_name("DIR");
  add_spec_flags(sub, options->overrides);
  sub->callback([options, &ctx] { run_create(*options, ctx); });
}

} // namespace kpg::cmd
