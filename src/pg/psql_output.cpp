#include "pg/psql_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <regex>

namespace kpg::pg {

namespace {

constexpr char k_separator = '|';

std::vector<std::string> split_fields(std::string_view line)
{
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const auto end = line.find(k_separator, start);
    fields.emplace_back(line.substr(start, end - start));
    if (end == std::string_view::npos) {
      return fields;
    }
    start = end + 1;
  }
}

template<typename T>
std::optional<T> parse_number(const std::string& text, std::size_t row, std::string_view name,
                              std::string_view expected)
{
  if (text.empty()) {
    return std::nullopt;
  }
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    throw PsqlFieldError(
      fmt::format("row {}, {}: expected {}, got \"{}\"", row + 1, name, expected, text));
  }
  return value;
}

bool is_footer(const std::string& line)
{
  static const std::regex k_footer("\\([0-9]+ rows?\\)");
  return std::regex_match(line, k_footer);
}

} // namespace

PsqlTable::PsqlTable(std::vector<std::string> columns, std::vector<std::vector<std::string>> rows)
  : m_columns(std::move(columns))
  , m_rows(std::move(rows))
{
}

bool PsqlTable::has_column(std::string_view name) const
{
  return std::find(m_columns.begin(), m_columns.end(), name) != m_columns.end();
}

std::string PsqlTable::missing_column(std::initializer_list<std::string_view> required) const
{
  for (std::string_view name : required) {
    if (!has_column(name)) {
      return fmt::format("no column \"{}\" in the header \"{}\"", name, fmt::join(m_columns, "|"));
    }
  }
  return "";
}

const std::string& PsqlTable::value(std::size_t row, std::string_view name) const
{
  static const std::string k_empty;
  const auto found = std::find(m_columns.begin(), m_columns.end(), name);
  if (found == m_columns.end()) {
    return k_empty;
  }
  return m_rows.at(row).at(static_cast<std::size_t>(found - m_columns.begin()));
}

std::optional<std::int64_t> PsqlTable::integer(std::size_t row, std::string_view name) const
{
  return parse_number<std::int64_t>(value(row, name), row, name, "an integer");
}

std::optional<std::uint64_t> PsqlTable::unsigned_integer(std::size_t row,
                                                         std::string_view name) const
{
  return parse_number<std::uint64_t>(value(row, name), row, name, "a non-negative integer");
}

std::optional<double> PsqlTable::decimal(std::size_t row, std::string_view name) const
{
  return parse_number<double>(value(row, name), row, name, "a number");
}

std::optional<Lsn> PsqlTable::lsn(std::size_t row, std::string_view name) const
{
  const std::string& text = value(row, name);
  if (text.empty()) {
    return std::nullopt;
  }
  auto parsed = Lsn::parse(text);
  if (!parsed) {
    throw PsqlFieldError(fmt::format("row {}, {}: {}", row + 1, name, parsed.error()));
  }
  return *parsed;
}

Expected<PsqlTable, std::string> parse_psql_unaligned(std::string_view output)
{
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < output.size()) {
    auto end = output.find('\n', start);
    if (end == std::string_view::npos) {
      end = output.size();
    }
    std::string line(output.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    lines.push_back(std::move(line));
    start = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) {
    lines.pop_back();
  }
  if (lines.empty()) {
    return unexpected(std::string("no output: expected a header line of column names"));
  }
  if (is_footer(lines.back())) {
    lines.pop_back();
  }
  auto columns = split_fields(lines.front());
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto fields = split_fields(lines[i]);
    if (fields.size() != columns.size()) {
      return unexpected(fmt::format("line {} has {} fields, the header has {}", i + 1,
                                    fields.size(), columns.size()));
    }
    rows.push_back(std::move(fields));
  }
  return PsqlTable(std::move(columns), std::move(rows));
}

} // namespace kpg::pg
