#include "ui/table.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <stdexcept>

using kpg::ui::Color;
using kpg::ui::Palette;
using kpg::ui::Table;

namespace {

std::string render(const Table& table, Table::Width width = Table::Width::normal,
                   const Palette& palette = Palette())
{
  std::ostringstream out;
  table.render(out, width, palette);
  return out.str();
}

} // namespace

TEST_CASE("Table::render")
{
  Table table({ { "name" }, { "ready" }, { "node", Table::Visibility::wide_only }, { "age" } });
  table.add_row({ "orders-0", "1/1", "node-1", "5d" });
  table.add_row({ "orders-10", { "0/1", Color::red }, "", "45s" });

  SUBCASE("upper-case headers, left-aligned, 3 spaces between columns")
  {
    CHECK(render(table) == "NAME        READY   AGE\n"
                           "orders-0    1/1     5d\n"
                           "orders-10   0/1     45s\n");
  }
  SUBCASE("wide shows the wide-only columns")
  {
    CHECK(render(table, Table::Width::wide) == "NAME        READY   NODE     AGE\n"
                                               "orders-0    1/1     node-1   5d\n"
                                               "orders-10   0/1              45s\n");
  }
  SUBCASE("colour does not shift columns")
  {
    CHECK(render(table, Table::Width::normal, Palette(Palette::State::enabled)) ==
          "NAME        READY   AGE\n"
          "orders-0    1/1     5d\n"
          "orders-10   \x1b[31m0/1\x1b[0m     45s\n");
  }
  SUBCASE("no trailing spaces when the last cells are empty")
  {
    Table sparse({ { "a" }, { "b" } });
    sparse.add_row({ "x", "" });
    CHECK(render(sparse) == "A   B\nx\n");
  }
  SUBCASE("widths count UTF-8 code points")
  {
    Table unicode({ { "state" }, { "x" } });
    unicode.add_row({ "✓ ok", "1" });
    CHECK(render(unicode) == "STATE   X\n✓ ok    1\n");
  }
  SUBCASE("a row with the wrong number of cells is refused")
  {
    CHECK_THROWS_AS(table.add_row({ "only-one" }), std::invalid_argument);
  }
  SUBCASE("an empty table prints its header")
  {
    Table empty({ { "name" } });
    CHECK(empty.empty());
    CHECK(render(empty) == "NAME\n");
  }
}
