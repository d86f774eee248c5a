// kubectl pg version: prints the client version (text, or -o json|yaml).

#include "cmd/commands.hpp"
#include "core/context.hpp"
#include "core/version.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <ostream>
#include <string>

namespace kpg::cmd {

namespace {

struct VersionOptions
{
  std::string output; // "", "json" or "yaml"
};

void run_version(const VersionOptions& options, Context& ctx)
{
  const std::string version{k_version};
  if (options.output == "json") {
    const nlohmann::ordered_json doc = {{"clientVersion", {{"gitVersion", "v" + version}}}};
    ctx.out << doc.dump(2) << '\n';
  } else if (options.output == "yaml") {
    YAML::Emitter emitter;
    emitter << YAML::BeginMap << YAML::Key << "clientVersion" << YAML::Value << YAML::BeginMap
            << YAML::Key << "gitVersion" << YAML::Value << ("v" + version) << YAML::EndMap
            << YAML::EndMap;
    ctx.out << emitter.c_str() << '\n';
  } else {
    ctx.out << fmt::format("Client Version: v{}\n", version);
  }
}

} // namespace

void add_version_command(CLI::App& app, Context& ctx)
{
  auto options = std::make_shared<VersionOptions>();
  auto* sub = app.add_subcommand("version", "Print the kubectl-pg version");
  sub->group(k_group_other);
  sub->footer("Examples:\n"
              "  # Print the version\n"
              "  kubectl pg version\n\n"
              "  # Print it as JSON, for scripts\n"
              "  kubectl pg version -o json");
  sub->add_option("-o,--output", options->output, "Output format: json or yaml")
    ->check(CLI::IsMember({"json", "yaml"}));
  sub->callback([options, &ctx] { run_version(*options, ctx); });
}

} // namespace kpg::cmd
