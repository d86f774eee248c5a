#pragma once
// Renders a TemplateSet into Kubernetes objects, safely: every value is a
// pre-encoded JSON scalar or flow collection (TemplateValues), so no input
// can change a manifest's structure; each rendered file must parse as
// exactly one YAML mapping with apiVersion, kind and metadata.name; a
// placeholder the values do not define is an error (mustache itself would
// silently render it empty).

#include "render/template_set.hpp"

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace kpg::render {

// Values for templates. Scalars are stored as their JSON encoding, so
// `name: {{name}}` renders `name: "orders"` whatever the name contains.
class TemplateValues
{
public:
  TemplateValues();

  void set_string(const std::string& key, const std::string& value);
  void set_int(const std::string& key, long long value);
  // A JSON value (object, array, scalar) rendered as YAML flow syntax.
  void set_json(const std::string& key, const nlohmann::ordered_json& value);
  // A section switch: {{#key}}..{{/key}} renders when true, {{^key}} when false.
  void set_flag(const std::string& key, bool value);
  // A list for "for-each" templates and {{#key}} sections.
  void add_item(const std::string& list, const TemplateValues& item);

  const kainjow::mustache::data& data() const
  {
    return m_data;
  }

private:
  kainjow::mustache::data m_data;
};

// Renders every template in order. Throws kpg::UsageError naming the
// template for an unknown placeholder, invalid YAML, or a result that is not
// one object (a broken --templates directory is the user's to fix).
std::vector<nlohmann::ordered_json> render_manifests(const TemplateSet& templates,
                                                     const TemplateValues& values);

} // namespace kpg::render
