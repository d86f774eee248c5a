#include "render/template_set.hpp"

#include "core/error.hpp"
#include "render/embedded.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace kpg::render {

namespace {

constexpr std::string_view k_for_each = "# kubectl-pg: for-each ";

std::string for_each_list(const std::string& text)
{
  if (!text.starts_with(k_for_each)) {
    return {};
  }
  const auto end = text.find('\n');
  auto list = text.substr(k_for_each.size(), end - k_for_each.size());
  while (!list.empty() && (list.back() == ' ' || list.back() == '\r')) {
    list.pop_back();
  }
  return list;
}

} // namespace

void TemplateSet::add(std::string path, const std::string& text)
{
  auto compiled = std::make_unique<CompiledTemplate>(
    CompiledTemplate{std::move(path), for_each_list(text), kainjow::mustache::mustache(text)});
  if (!compiled->mustache.is_valid()) {
    throw UsageError(fmt::format("template {}: {}; fix the template", compiled->path,
                                 compiled->mustache.error_message()));
  }
  // Values arrive already encoded as JSON scalars (manifest_renderer.cpp);
  // mustache's HTML escaping would corrupt them.
  compiled->mustache.set_custom_escape([](const std::string& value) { return value; });
  m_templates.push_back(std::move(compiled));
}

TemplateSet TemplateSet::embedded(std::string_view engine)
{
  TemplateSet set;
  const auto prefix = std::string(engine) + "/";
  for (const auto& file : embedded_templates()) {
    const std::string_view path = file.path;
    if (path.starts_with(prefix) && path.ends_with(".yaml")) {
      set.add(std::string(path), std::string(file.contents));
    }
  }
  if (set.m_templates.empty()) {
    throw Error(fmt::format("no embedded templates for engine \"{}\"", engine));
  }
  return set;
}

TemplateSet TemplateSet::from_directory(const std::filesystem::path& dir, std::string_view engine)
{
  const auto engine_dir = dir / std::string(engine);
  std::error_code ec;
  if (!std::filesystem::is_directory(engine_dir, ec)) {
    throw UsageError(fmt::format("--templates {}: no directory {}; it must hold the engine's "
                                 "templates as templates/ does (copy templates/{} from the "
                                 "source tree and edit it)",
                                 dir.string(), engine_dir.string(), engine));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(engine_dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  TemplateSet set;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      throw UsageError(fmt::format("--templates: cannot read {}", file.string()));
    }
    set.add(file.lexically_relative(dir).generic_string(), text.str());
  }
  if (set.m_templates.empty()) {
    throw UsageError(
      fmt::format("--templates {}: {} holds no .yaml templates", dir.string(), engine_dir.string()));
  }
  return set;
}

} // namespace kpg::render
