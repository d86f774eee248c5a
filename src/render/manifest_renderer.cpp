#include "render/manifest_renderer.hpp"

#include "core/error.hpp"
#include "render/yaml_json.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace kpg::render {

namespace {

using Data = kainjow::mustache::data;

// A mustache context that remembers every name it could not resolve.
class RecordingContext final : public kainjow::mustache::context<std::string>
{
public:
  explicit RecordingContext(const Data* data) : kainjow::mustache::context<std::string>(data)
  {
  }

  const Data* get(const std::string& name) const override
  {
    const auto* value = kainjow::mustache::context<std::string>::get(name);
    if (value == nullptr) {
      m_missing.insert(name);
    }
    return value;
  }

  const std::set<std::string>& missing() const
  {
    return m_missing;
  }

private:
  mutable std::set<std::string> m_missing;
};

// Only comments and whitespace: an optional object switched off.
bool is_blank(const std::string& text)
{
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = std::min(text.find('\n', pos), text.size());
    const auto first = text.find_first_not_of(" \t\r", pos);
    if (first < end && text[first] != '#') {
      return false;
    }
    pos = end + 1;
  }
  return true;
}

nlohmann::ordered_json parse_object(const CompiledTemplate& tmpl, const std::string& text)
{
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw UsageError(fmt::format("template {}: line {}: the rendered text is not valid YAML: {}",
                                 tmpl.path, e.mark.line + 1, e.msg));
  }
  if (documents.size() != 1 || !documents.front().IsMap()) {
    throw UsageError(fmt::format(
      "template {}: must render to exactly one mapping (one Kubernetes object), got {}",
      tmpl.path, documents.size() == 1 ? "a non-mapping" : std::to_string(documents.size()) +
                                                             " documents"));
  }
  auto object = yaml_to_json(documents.front());
  const bool complete = object.contains("apiVersion") && object["apiVersion"].is_string() &&
                        object.contains("kind") && object["kind"].is_string() &&
                        object.contains("metadata") && object["metadata"].is_object() &&
                        object["metadata"].contains("name") &&
                        object["metadata"]["name"].is_string();
  if (!complete) {
    throw UsageError(fmt::format("template {}: the object lacks apiVersion, kind or "
                                 "metadata.name",
                                 tmpl.path));
  }
  return object;
}

// Renders one object; `item` (a for-each list item) shadows the cluster's
// values, as inside a mustache section.
void render_one(const CompiledTemplate& tmpl, const Data& data, const Data* item,
                std::vector<nlohmann::ordered_json>& out)
{
  RecordingContext context(&data);
  if (item != nullptr) {
    context.push(item);
  }
  const auto text = tmpl.mustache.render(context);
  if (!context.missing().empty()) {
    throw UsageError(fmt::format("template {}: unknown placeholder {{{{{}}}}}: kubectl-pg has "
                                 "no value by that name (README \"Templates\" lists them)",
                                 tmpl.path, *context.missing().begin()));
  }
  if (!tmpl.mustache.error_message().empty()) {
    throw UsageError(fmt::format("template {}: {}", tmpl.path, tmpl.mustache.error_message()));
  }
  if (!is_blank(text)) {
    out.push_back(parse_object(tmpl, text));
  }
}

} // namespace

TemplateValues::TemplateValues() : m_data(Data::type::object)
{
}

void TemplateValues::set_string(const std::string& key, const std::string& value)
{
  try {
    m_data.set(key, nlohmann::ordered_json(value).dump());
  } catch (const nlohmann::json::exception&) {
    throw UsageError(fmt::format("the value for {} is not valid UTF-8; use UTF-8 text", key));
  }
}

void TemplateValues::set_int(const std::string& key, long long value)
{
  m_data.set(key, std::to_string(value));
}

void TemplateValues::set_json(const std::string& key, const nlohmann::ordered_json& value)
{
  try {
    m_data.set(key, value.dump());
  } catch (const nlohmann::json::exception&) {
    throw UsageError(fmt::format("a value under {} is not valid UTF-8; use UTF-8 text", key));
  }
}

void TemplateValues::set_flag(const std::string& key, bool value)
{
  m_data.set(key, Data(value));
}

void TemplateValues::add_item(const std::string& list, const TemplateValues& item)
{
  auto* existing = m_data.get(list);
  if (existing == nullptr) {
    m_data.set(list, Data(Data::type::list));
    existing = m_data.get(list);
  }
  // kainjow's get() is const-only; rebuild the list with the new item.
  Data updated(*existing);
  updated.push_back(item.m_data);
  m_data.set(list, updated);
}

std::vector<nlohmann::ordered_json> render_manifests(const TemplateSet& templates,
                                                     const TemplateValues& values)
{
  std::vector<nlohmann::ordered_json> objects;
  const auto& data = values.data();
  for (const auto& tmpl : templates.templates()) {
    if (tmpl->for_each.empty()) {
      render_one(*tmpl, data, nullptr, objects);
      continue;
    }
    const auto* list = data.get(tmpl->for_each);
    if (list == nullptr || !list->is_list()) {
      throw UsageError(fmt::format("template {}: for-each names \"{}\", which is not a list "
                                   "kubectl-pg provides",
                                   tmpl->path, tmpl->for_each));
    }
    for (const auto& item : list->list_value()) {
      render_one(*tmpl, data, &item, objects);
    }
  }
  return objects;
}

} // namespace kpg::render
