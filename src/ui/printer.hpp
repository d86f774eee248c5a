#pragma once
// The shared printers behind -o. A command builds a model, wraps it as a
// Printable and calls print(); the model decides what its table and names look
// like, the printer does the rest:
//   json  nlohmann's dump with a 2-space indent and a final newline;
//   yaml  kpg::json_to_yaml (core/yaml_json.hpp), the writer rendered manifests
//         use: block style, strings that would read back as another type
//         double-quoted, multi-line strings as literal blocks;
//   name  one "kind/name" per line, as kubectl -o name;
//   table / wide  the model's own text.

#include "ui/color.hpp"
#include "ui/output_format.hpp"
#include "ui/table.hpp"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace kpg::ui {

class Printable
{
public:
  virtual ~Printable() = default;
  // The document -o json and -o yaml print (field order kept).
  virtual nlohmann::ordered_json to_json() const = 0;
  // What -o table and -o wide print.
  virtual void print_text(std::ostream& out, Table::Width width, const Palette& palette) const = 0;
  // "kind/name" for each object shown, for -o name.
  virtual std::vector<std::string> names() const = 0;
};

void print(std::ostream& out, const Printable& printable, OutputFormat format,
           const Palette& palette);

// JSON with a 2-space indent and a final newline.
void print_json(std::ostream& out, const nlohmann::ordered_json& document);

// The same document as block YAML, ending with a newline.
void print_yaml(std::ostream& out, const nlohmann::ordered_json& document);

} // namespace kpg::ui
