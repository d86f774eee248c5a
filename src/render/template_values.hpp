#pragma once
// The values templates see. Each is stored as the text that replaces its
// placeholder, already encoded as one self-contained YAML node: a JSON string
// (double-quoted), a JSON number, true, false or null (plain), or a JSON
// object or array (a flow collection). JSON is YAML 1.2, so whatever a value
// holds (quotes, colons, newlines, "{{", "#") it stays one node; where a
// template may put a placeholder is proven separately (template_proof.hpp).

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace kpg::render {

// How an encoded value is written in YAML; a template's use of a placeholder
// is proven for the kind of value it receives.
enum class ValueKind
{
  quoted,     // "..."
  plain,      // 42, -1.5, true, false, null
  collection, // {...} or [...], pretty-printed over several lines when not empty
};

// The kind of a value TemplateValues encoded.
ValueKind value_kind(std::string_view encoded);

// JSON text as YAML readers take it. JSON is YAML 1.2, but YAML forbids some
// code points JSON strings may hold raw (DEL, the C1 controls, U+FEFF,
// U+FFFE, U+FFFF), and YAML 1.1 readers such as kubectl's fold NEL, U+2028
// and U+2029 as line breaks. Each becomes a \u escape, which JSON and YAML
// both decode back to the same code point. `json` must be valid UTF-8 (as
// nlohmann::json::dump writes it).
std::string yaml_safe_json(std::string json);

class TemplateValues
{
public:
  TemplateValues();

  // `name: {{key}}` renders `name: "orders"` whatever the string holds.
  // Throws kpg::UsageError when `value` is not valid UTF-8.
  void set_string(const std::string& key, const std::string& value);
  void set_int(const std::string& key, long long value);
  // A JSON value: objects and arrays render as flow collections (one entry
  // a line), scalars as above. Throws kpg::UsageError for invalid UTF-8.
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

} // namespace kpg::render
