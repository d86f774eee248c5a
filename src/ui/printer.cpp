#include "ui/printer.hpp"

#include "core/yaml_json.hpp"

#include <ostream>

namespace kpg::ui {

void print_json(std::ostream& out, const nlohmann::ordered_json& document)
{
  out << document.dump(2) << '\n';
}

void print_yaml(std::ostream& out, const nlohmann::ordered_json& document)
{
  out << json_to_yaml(document);
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
