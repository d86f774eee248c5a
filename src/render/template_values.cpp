#include "render/template_values.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

namespace kpg::render {

namespace {

using Data = kainjow::mustache::data;

// The code point of the 1- to 3-byte UTF-8 sequence at `pos` when YAML needs
// it escaped (yaml_safe_json), with its length in bytes; 0 when not.
std::pair<char32_t, std::size_t> yaml_special_at(const std::string& text, std::size_t pos)
{
  const auto byte = [&text](std::size_t at) {
    return at < text.size() ? static_cast<unsigned char>(text[at]) : 0U;
  };
  const unsigned first = byte(pos);
  if (first == 0x7F) {
    return {0x7F, 1};
  }
  if (first == 0xC2 && byte(pos + 1) >= 0x80 && byte(pos + 1) <= 0x9F) {
    return {byte(pos + 1), 2}; // C1 controls, NEL among them
  }
  if (first == 0xE2 || first == 0xEF) {
    const auto code = static_cast<char32_t>(
      ((first & 0x0FU) << 12) | ((byte(pos + 1) & 0x3FU) << 6) | (byte(pos + 2) & 0x3FU));
    if (code == 0x2028 || code == 0x2029 || code == 0xFEFF || code == 0xFFFE || code == 0xFFFF) {
      return {code, 3};
    }
  }
  return {0, 0};
}

std::string dump(const nlohmann::ordered_json& value, int indent, const std::string& key)
{
  try {
    return yaml_safe_json(value.dump(indent));
  } catch (const nlohmann::json::exception&) {
    throw UsageError(fmt::format("the value for {} is not valid UTF-8; use UTF-8 text", key));
  }
}

} // namespace

ValueKind value_kind(std::string_view encoded)
{
  if (encoded.starts_with('"')) {
    return ValueKind::quoted;
  }
  if (encoded.starts_with('{') || encoded.starts_with('[')) {
    return ValueKind::collection;
  }
  return ValueKind::plain;
}

std::string yaml_safe_json(std::string json)
{
  std::string out;
  std::size_t copied = 0;
  for (std::size_t pos = 0; pos < json.size(); ++pos) {
    if (static_cast<unsigned char>(json[pos]) < 0x7F) {
      continue;
    }
    const auto [code, length] = yaml_special_at(json, pos);
    if (length == 0) {
      continue;
    }
    out.append(json, copied, pos - copied);
    out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(code));
    pos += length - 1;
    copied = pos + 1;
  }
  if (copied == 0) {
    return json;
  }
  out.append(json, copied);
  return out;
}

TemplateValues::TemplateValues()
  : m_data(Data::type::object)
{
}

void TemplateValues::set_string(const std::string& key, const std::string& value)
{
  m_data.set(key, dump(value, -1, key));
}

void TemplateValues::set_int(const std::string& key, long long value)
{
  m_data.set(key, std::to_string(value));
}

void TemplateValues::set_json(const std::string& key, const nlohmann::ordered_json& value)
{
  m_data.set(key, dump(value, 2, key));
}

void TemplateValues::set_flag(const std::string& key, bool value)
{
  m_data.set(key, Data(value));
}

void TemplateValues::add_item(const std::string& list, const TemplateValues& item)
{
  if (m_data.get(list) == nullptr) {
    m_data.set(list, Data(Data::type::list));
  }
  m_data[list].push_back(item.m_data);
}

} // namespace kpg::render
