#include "ui/printer.hpp"

#include <ostream>
#include <regex>
#include <yaml-cpp/yaml.h>

namespace kpg::ui {

namespace {

// True when YAML 1.1/1.2 readers would take the plain scalar as something other
// than a string (null, a bool, a number), so it must be quoted.
bool needs_quotes(const std::string& text)
{
  static const std::regex k_special(
    "|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|"
    "OFF|y|Y|n|N|[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|"
    "0o?[0-7_]+|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|[0-9]+(:[0-5]?[0-9])+(\\.[0-9_]*)?");
  return std::regex_match(text, k_special);
}

void emit(YAML::Emitter& emitter, const nlohmann::ordered_json& value)
{
  switch (value.type()) {
    case nlohmann::ordered_json::value_t::object:
      if (value.empty()) {
        emitter << YAML::Flow; // "{}" on the key's line
      }
      emitter << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        emitter << YAML::Key;
        if (needs_quotes(key)) {
          emitter << YAML::DoubleQuoted;
        }
        emitter << key << YAML::Value;
        emit(emitter, item);
      }
      emitter << YAML::EndMap;
      break;
    case nlohmann::ordered_json::value_t::array:
      if (value.empty()) {
        emitter << YAML::Flow; // "[]" on the key's line
      }
      emitter << YAML::BeginSeq;
      for (const auto& item : value) {
        emit(emitter, item);
      }
      emitter << YAML::EndSeq;
      break;
    case nlohmann::ordered_json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (needs_quotes(text)) {
        emitter << YAML::DoubleQuoted;
      }
      emitter << text;
      break;
    }
    case nlohmann::ordered_json::value_t::null:
      emitter << YAML::Null;
      break;
    default:
      // Numbers and booleans read the same in JSON and YAML.
      emitter << value.dump();
      break;
  }
}

} // namespace

void print_json(std::ostream& out, const nlohmann::ordered_json& document)
{
  out << document.dump(2) << '\n';
}

void print_yaml(std::ostream& out, const nlohmann::ordered_json& document)
{
  YAML::Emitter emitter;
  emit(emitter, document);
  out << emitter.c_str() << '\n';
}

void print(std::ostream& out, const Printable& printable, OutputFormat format,
           const Palette& palette)
{
  switch (format) {
    case OutputFormat::json:
      print_json(out, printable.to_json());
      break;
    case OutputFormat::yaml:
      print_yaml(out, printable.to_json());
      break;
    case OutputFormat::name:
      for (const auto& name : printable.names()) {
        out << name << '\n';
      }
      break;
    case OutputFormat::table:
      printable.print_text(out, Table::Width::normal, palette);
      break;
    case OutputFormat::wide:
      printable.print_text(out, Table::Width::wide, palette);
      break;
  }
}

} // namespace kpg::ui
