#include "render/template_set.hpp"

#include "core/error.hpp"
#include "render/embedded.hpp"
#include "render/template_proof.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace kpg::render {

namespace {

constexpr std::string_view k_for_each = "# kubectl-pg: for-each ";

// The list a "# kubectl-pg: for-each LIST" first line names, or "".
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

// What mustache compiles: the text without the for-each line, ending in a
// newline so that documents can be joined with "---".
std::string template_body(const std::string& text)
{
  auto body =
    text.starts_with(k_for_each) ? text.substr(std::min(text.find('\n'), text.size())) : text;
  if (body.starts_with('\n')) {
    body.erase(0, 1);
  }
  if (!body.empty() && body.back() != '\n') {
    body.push_back('\n');
  }
  return body;
}

} // namespace

std::optional<ShapeVerdict> ProvenShapes::find(const std::string& shape) const
{
  const std::lock_guard lock(m_mutex);
  const auto found = m_verdicts.find(shape);
  if (found == m_verdicts.end()) {
    return std::nullopt;
  }
  return found->second;
}

void ProvenShapes::add(const std::string& shape, ShapeVerdict verdict) const
{
  const std::lock_guard lock(m_mutex);
  m_verdicts.emplace(shape, verdict);
}

std::size_t ProvenShapes::size() const
{
  const std::lock_guard lock(m_mutex);
  return m_verdicts.size();
}

CompiledTemplate::CompiledTemplate(std::string template_path, std::string text)
  : path(std::move(template_path))
  , source(std::move(text))
  , for_each(for_each_list(source))
  , mustache(template_body(source))
{
  // Values arrive encoded as YAML nodes (template_values.hpp); mustache's
  // HTML escaping would corrupt them.
  mustache.set_custom_escape([](const std::string& value) { return value; });
}

void TemplateSet::add(std::string path, std::string text, Probe probe)
{
  auto compiled = std::make_unique<CompiledTemplate>(std::move(path), std::move(text));
  if (!compiled->mustache.is_valid()) {
    throw UsageError(fmt::format("template {}: {}; fix the template", compiled->path,
                                 compiled->mustache.error_message()));
  }
  if (probe == Probe::at_load) {
    probe_template(*compiled);
  }
  m_templates.push_back(std::move(compiled));
}

TemplateSet TemplateSet::embedded(std::string_view engine)
{
  TemplateSet set;
  const auto prefix = std::string(engine) + "/";
  for (const auto& file : embedded_templates()) {
    const std::string_view path = file.path;
    if (path.starts_with(prefix) && path.ends_with(".yaml")) {
      set.add(std::string(path), std::string(file.contents), Probe::skip);
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
    set.add(file.lexically_relative(dir).generic_string(), text.str(), Probe::at_load);
  }
  if (set.m_templates.empty()) {
    throw UsageError(fmt::format("--templates {}: {} holds no .yaml templates", dir.string(),
                                 engine_dir.string()));
  }
  return set;
}

} // namespace kpg::render
