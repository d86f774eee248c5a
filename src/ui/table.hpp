#pragma once
// A text table in kubectl's column style: upper-case headers, left-aligned
// cells, 3 spaces between columns, no padding after the last column and no
// trailing spaces. Widths count UTF-8 code points of the plain text, so colour
// (applied after padding) never shifts a column.
//
//   Table table({{"name"}, {"ready"}, {"node", Table::Visibility::wide_only}});
//   table.add_row({"orders-0", {"1/1", Color::green}, "node-1"});
//   table.render(out, Table::Width::normal, palette);
//
// prints
//   NAME       READY
//   orders-0   1/1

#include "ui/color.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace kpg::ui {

class Table
{
public:
  // Wide-only columns appear with -o wide, as kubectl's extra columns do.
  enum class Visibility
  {
    always,
    wide_only
  };
  enum class Width
  {
    normal,
    wide
  };

  struct Column
  {
    std::string header; // upper-cased when printed
    Visibility visibility = Visibility::always;
  };

  struct Cell
  {
    Cell(std::string text_ = {}, std::optional<Color> color_ = std::nullopt) // NOLINT
      : text(std::move(text_))
      , color(color_)
    {
    }
    Cell(const char* text_)
      : text(text_) // NOLINT(google-explicit-constructor)
    {
    }
    std::string text;
    std::optional<Color> color;
  };

  explicit Table(std::vector<Column> columns);

  // A row has exactly one cell per column (wide-only ones included); throws
  // std::invalid_argument otherwise (a programming error).
  void add_row(std::vector<Cell> cells);

  bool empty() const
  {
    return m_rows.empty();
  }
  std::size_t size() const
  {
    return m_rows.size();
  }

  void render(std::ostream& out, Width width, const Palette& palette) const;

private:
  std::vector<Column> m_columns;
  std::vector<std::vector<Cell>> m_rows;
};

// Display width of UTF-8 text: the number of code points.
std::size_t display_width(std::string_view text);

} // namespace kpg::ui
