#include "ui/table.hpp"

#include <algorithm>
#include <cctype>
#include <ostream>
#include <stdexcept>

namespace kpg::ui {

namespace {

constexpr std::size_t k_column_gap = 3;

std::string upper(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

} // namespace

std::size_t display_width(std::string_view text)
{
  // Count bytes that start a code point (not UTF-8 continuation bytes 10xxxxxx).
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

Table::Table(std::vector<Column> columns)
  : m_columns(std::move(columns))
{
}

void Table::add_row(std::vector<Cell> cells)
{
  if (cells.size() != m_columns.size()) {
    throw std::invalid_argument("Table::add_row: the row has " + std::to_string(cells.size()) +
                                " cells, the table " + std::to_string(m_columns.size()) +
                                " columns");
  }
  m_rows.push_back(std::move(cells));
}

void Table::render(std::ostream& out, Width width, const Palette& palette) const
{
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (m_columns[i].visibility == Visibility::always || width == Width::wide) {
      shown.push_back(i);
    }
  }
  std::vector<std::size_t> widths(m_columns.size(), 0);
  for (std::size_t i : shown) {
    widths[i] = display_width(m_columns[i].header);
    for (const auto& row : m_rows) {
      widths[i] = std::max(widths[i], display_width(row[i].text));
    }
  }

  auto print_line = [&](auto&& cell_at) {
    std::string line;
    std::size_t pending_spaces = 0; // padding is written only when text follows it
    for (std::size_t k = 0; k < shown.size(); ++k) {
      const std::size_t i = shown[k];
      const Cell cell = cell_at(i);
      if (!cell.text.empty()) {
        line.append(pending_spaces, ' ');
        pending_spaces = 0;
        line += cell.color ? palette.paint(cell.text, *cell.color) : cell.text;
      }
      pending_spaces += widths[i] - display_width(cell.text) + k_column_gap;
    }
    out << line << '\n';
  };

  print_line([&](std::size_t i) { return Cell(upper(m_columns[i].header)); });
  for (const auto& row : m_rows) {
    print_line([&](std::size_t i) { return row[i]; });
  }
}

} // namespace kpg::ui
