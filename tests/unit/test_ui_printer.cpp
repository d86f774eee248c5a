#include "ui/printer.hpp"

#include <doctest/doctest.h>

#include <sstream>

namespace {

class Sample : public kpg::ui::Printable
{
public:
  nlohmann::ordered_json to_json() const override
  {
    return { { "kind", "Sample" },
             { "name", "orders" },
             { "members", 3 },
             { "lagSeconds", 0.25 },
             { "healthy", true },
             { "leader", nullptr },
             { "version", "15" },
             { "flag", "yes" },
             { "lsn", "0/3000060" },
             { "empty", "" },
             { "labels", nlohmann::ordered_json::object() },
             { "items", { "a", "b" } },
             { "none", nlohmann::ordered_json::array() } };
  }
  void print_text(std::ostream& out, kpg::ui::Table::Width width,
                  const kpg::ui::Palette& palette) const override
  {
    kpg::ui::Table table({ { "name" }, { "members", kpg::ui::Table::Visibility::wide_only } });
    table.add_row({ "orders", "3" });
    table.render(out, width, palette);
  }
  std::vector<std::string> names() const override
  {
    return { "cluster/orders", "cluster/billing" };
  }
};

std::string print(kpg::ui::OutputFormat format)
{
  std::ostringstream out;
  kpg::ui::print(out, Sample(), format, kpg::ui::Palette());
  return out.str();
}

} // namespace

TEST_CASE("print")
{
  using kpg::ui::OutputFormat;
  SUBCASE("json: 2-space indent, order kept")
  {
    CHECK(print(OutputFormat::json) == R"({
  "kind": "Sample",
  "name": "orders",
  "members": 3,
  "lagSeconds": 0.25,
  "healthy": true,
  "leader": null,
  "version": "15",
  "flag": "yes",
  "lsn": "0/3000060",
  "empty": "",
  "labels": {},
  "items": [
    "a",
    "b"
  ],
  "none": []
}
)");
  }
  SUBCASE("yaml: strings that would read as other types are quoted")
  {
    CHECK(print(OutputFormat::yaml) == R"(kind: Sample
name: orders
members: 3
lagSeconds: 0.25
healthy: true
leader: ~
version: "15"
flag: "yes"
lsn: 0/3000060
empty: ""
labels: {}
items:
  - a
  - b
none: []
)");
  }
  SUBCASE("name: kind/name per line")
  {
    CHECK(print(OutputFormat::name) == "cluster/orders\ncluster/billing\n");
  }
  SUBCASE("table and wide")
  {
    CHECK(print(OutputFormat::table) == "NAME\norders\n");
    CHECK(print(OutputFormat::wide) == "NAME     MEMBERS\norders   3\n");
  }
}
