#include "core/yaml_json.hpp"

#include "core/error.hpp"

#include <array>
#include <charconv>
#include <string_view>

namespace kpg {

namespace {

bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

// Advances over [0-9]*; returns how many digits it passed.
std::size_t skip_digits(std::string_view text, std::size_t& pos)
{
  const std::size_t start = pos;
  while (pos < text.size() && is_digit(text[pos])) {
    ++pos;
  }
  return pos - start;
}

bool is_hex_or_octal(std::string_view text)
{
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'o')) {
    return false;
  }
  for (const char c : text.substr(2)) {
    const bool hex = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (text[1] == 'x' ? !hex : (c < '0' || c > '7')) {
      return false;
    }
  }
  return true;
}

// YAML 1.2 core schema: [-+]?[0-9]+
bool is_core_int(std::string_view text)
{
  std::size_t pos = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  return skip_digits(text, pos) > 0 && pos == text.size();
}

// YAML 1.2 core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
// and the special values .inf/.nan.
bool is_core_float(std::string_view text)
{
  std::size_t pos = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  const auto rest = text.substr(pos);
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") {
    return true;
  }
  if (pos == 0 && (rest == ".nan" || rest == ".NaN" || rest == ".NAN")) {
    return true;
  }
  std::size_t digits = skip_digits(text, pos);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    digits += skip_digits(text, pos);
  }
  if (digits == 0) {
    return false;
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
      ++pos;
    }
    if (skip_digits(text, pos) == 0) {
      return false;
    }
  }
  return pos == text.size();
}

nlohmann::ordered_json resolve_plain(const std::string& text)
{
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") {
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    return false;
  }
  if (is_core_int(text)) {
    long long value = 0;
    const char* begin = text.data() + (text.front() == '+' ? 1 : 0);
    const auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (ec == std::errc() && ptr == text.data() + text.size()) {
      return value;
    }
  }
  if (is_core_float(text) && text.find_first_of("in") == std::string::npos) {
    return std::stod(text);
  }
  if (is_hex_or_octal(text)) {
    // Valid YAML 1.2 integers, but never written by kubectl-pg's templates:
    // keep the text so nothing is lost.
    return text;
  }
  return text;
}

// Would a YAML 1.1 or 1.2 reader (kubectl's, yaml-cpp's) read this plain
// scalar as something other than this string?
bool needs_quotes(const std::string& text)
{
  static constexpr std::array<std::string_view, 22> k_yaml11_words{
    "y",  "Y",   "yes", "Yes", "YES", "n",   "N",   "no",    "No",    "NO",    "on",
    "On", "ON",  "off", "Off", "OFF", "=",   "<<",  "true",  "false", "null",  "~"};
  // "---" and "..." at the start of a line end a document.
  if (text.starts_with("---") || text.starts_with("...")) {
    return true;
  }
  if (text.empty() || is_core_int(text) || is_core_float(text) || is_hex_or_octal(text) ||
      !resolve_plain(text).is_string()) {
    return true;
  }
  for (const auto word : k_yaml11_words) {
    if (text == word) {
      return true;
    }
  }
  // Sexagesimal and other YAML 1.1 numbers: quote anything digit-led with ':' or '_'.
  return (text.front() >= '0' && text.front() <= '9') &&
         text.find_first_of(":_") != std::string::npos;
}

// Literal blocks ("|") round-trip only for text without tabs, carriage
// returns, leading spaces or trailing spaces on a line.
bool literal_safe(const std::string& text)
{
  if (text.find('\n') == std::string::npos || text.find_first_of("\t\r") != std::string::npos ||
      text.front() == ' ' || text.front() == '\n') {
    return false;
  }
  for (std::size_t pos = text.find('\n'); pos != std::string::npos;
       pos = text.find('\n', pos + 1)) {
    if (pos > 0 && text[pos - 1] == ' ') {
      return false;
    }
  }
  return text.back() != ' ';
}

void emit(YAML::Emitter& out, const nlohmann::ordered_json& value)
{
  switch (value.type()) {
  case nlohmann::ordered_json::value_t::object:
    if (value.empty()) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    out << YAML::BeginMap;
    for (const auto& [key, item] : value.items()) {
      out << YAML::Key;
      if (needs_quotes(key)) {
        out << YAML::DoubleQuoted;
      }
      out << key << YAML::Value;
      emit(out, item);
    }
    out << YAML::EndMap;
    return;
  case nlohmann::ordered_json::value_t::array:
    if (value.empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (const auto& item : value) {
      emit(out, item);
    }
    out << YAML::EndSeq;
    return;
  case nlohmann::ordered_json::value_t::string: {
    const auto& text = value.get_ref<const std::string&>();
    if (text.find('\n') != std::string::npos) {
      out << (literal_safe(text) ? YAML::Literal : YAML::DoubleQuoted);
    } else if (needs_quotes(text)) {
      out << YAML::DoubleQuoted;
    }
    out << text;
    return;
  }
  case nlohmann::ordered_json::value_t::boolean:
    out << (value.get<bool>() ? "true" : "false");
    return;
  case nlohmann::ordered_json::value_t::number_integer:
    out << value.get<long long>();
    return;
  case nlohmann::ordered_json::value_t::number_unsigned:
    out << value.get<unsigned long long>();
    return;
  case nlohmann::ordered_json::value_t::number_float:
    out << value.dump();
    return;
  default:
    out << YAML::Null;
    return;
  }
}

} // namespace

nlohmann::ordered_json yaml_to_json(const YAML::Node& node)
{
  switch (node.Type()) {
  case YAML::NodeType::Map: {
    auto object = nlohmann::ordered_json::object();
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) {
        throw Error("converting YAML to JSON: a mapping key is not a string");
      }
      object[entry.first.Scalar()] = yaml_to_json(entry.second);
    }
    return object;
  }
  case YAML::NodeType::Sequence: {
    auto array = nlohmann::ordered_json::array();
    for (const auto& item : node) {
      array.push_back(yaml_to_json(item));
    }
    return array;
  }
  case YAML::NodeType::Scalar:
    return node.Tag() == "!" ? nlohmann::ordered_json(node.Scalar()) : resolve_plain(node.Scalar());
  default:
    return nullptr;
  }
}

std::string json_to_yaml(const nlohmann::ordered_json& document)
{
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  emit(out, document);
  std::string text = out.c_str();
  text.push_back('\n');
  return text;
}

} // namespace kpg
