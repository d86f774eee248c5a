#include "render/manifest_renderer.hpp"

#include "core/error.hpp"
#include "core/yaml_json.hpp"
#include "render/template_proof.hpp"
#include "render/template_render.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>


namespace kpg::render {

namespace {

using Data = kainjow::mustache::data;

// Renders one object; `item` (a for-each list item) shadows the cluster's
// values, as inside a mustache section.
void render_one(const CompiledTemplate& tmpl, const Data& data, const Data* item,
                std::vector<std::string>& out)
{
  ShapeRecordingContext context(&data);
  if (item != nullptr) {
    context.push(item);
  }
  auto text = render_template_text(tmpl, context);
  if (!context.missing().empty()) {
    throw UsageError(fmt::format("template {}: unknown placeholder {{{{{}}}}}: kubectl-pg has "
                                 "no value by that name (README \"Templates\" lists them)",
                                 tmpl.path, *context.missing().begin()));
  }
  if (!tmpl.mustache.error_message().empty()) {
    throw UsageError(fmt::format("template {}: {}", tmpl.path, tmpl.mustache.error_message()));
  }
  auto verdict = tmpl.proven.find(context.shape());
  if (!verdict) {
    verdict = prove_shape(tmpl, data, item);
    tmpl.proven.add(context.shape(), *verdict);
  }
  if (*verdict == ShapeVerdict::object) {
    out.push_back(std::move(text));
  }
}

} // namespace

std::vector<std::string> render_documents(const TemplateSet& templates,
                                          const TemplateValues& values)
{
  std::vector<std::string> documents;
  const auto& data = values.data();
  for (const auto& tmpl : templates.templates()) {
    if (tmpl->for_each.empty()) {
      render_one(*tmpl, data, nullptr, documents);
      continue;
    }
    const auto* list = data.get(tmpl->for_each);
    if (list == nullptr || !list->is_list()) {
      throw UsageError(fmt::format("template {}: for-each names \"{}\", which is not a list "
                                   "kubectl-pg provides",
                                   tmpl->path, tmpl->for_each));
    }
    for (const auto& item : list->list_value()) {
      render_one(*tmpl, data, &item, documents);
    }
  }
  return documents;
}

std::vector<nlohmann::ordered_json> render_manifests(const TemplateSet& templates,
                                                     const TemplateValues& values)
{
  return parse_documents(render_documents(templates, values));
}

std::vector<nlohmann::ordered_json> parse_documents(const std::vector<std::string>& documents)
{
  std::vector<nlohmann::ordered_json> objects;
  objects.reserve(documents.size());
  for (const auto& document : documents) {
    objects.push_back(yaml_to_json(YAML::Load(document)));
  }
  return objects;
}

} // namespace kpg::render
