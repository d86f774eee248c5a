#include "render/spec_loader.hpp"

#include "core/error.hpp"
#include "render/spec_parser.hpp"
#include "render/spec_validation.hpp"

#include <fmt/format.h>

namespace kpg::render {

namespace {

[[noreturn]] void fail(const std::string& what, const std::vector<std::string>& errors)
{
  throw UsageError(fmt::format("{}:\n  {}", what, fmt::join(errors, "\n  ")));
}

} // namespace

LoadedSpec load_cluster_spec(const std::optional<SpecFile>& file, const SpecOverrides& overrides,
                             const std::string& default_namespace)
{
  ParsedSpec parsed;
  if (file) {
    auto result = parse_cluster_spec(file->text, file->source);
    if (!result) {
      fail(fmt::format("reading the cluster spec {}", file->source), result.error());
    }
    parsed = std::move(*result);
  }
  apply_overrides(overrides, parsed.spec, parsed.origins);
  if (!parsed.origins.contains("metadata.namespace")) {
    parsed.spec.namespace_name = default_namespace;
    parsed.origins["metadata.namespace"] = "the kubeconfig context's namespace";
  }
  auto checked = validate_cluster_spec(parsed.spec, parsed.origins);
  if (!checked.errors.empty()) {
    fail("the cluster spec is invalid", checked.errors);
  }
  return LoadedSpec{std::move(parsed.spec), std::move(checked.warnings)};
}

} // namespace kpg::render
