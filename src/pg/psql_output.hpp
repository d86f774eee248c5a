#pragma once
// Query results as psql prints them unaligned, the form kubectl-pg asks for
// when it runs SQL in a pod over exec:
//   psql -X -A -F '|' -c '<query>'
// A header line of column names, one line per row with fields separated by
// '|', and psql's "(N rows)" footer (optional: --pset=footer=off drops it).
// NULL prints as an empty field. Values must not contain the separator or a
// newline; the queries kubectl-pg runs return names, states, LSNs and numbers.

#include "core/expected.hpp"
#include "pg/lsn.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::pg {

// A field that does not hold what its column should: "row 2, port: expected
// an integer, got \"x\"".
class PsqlFieldError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

class PsqlTable
{
public:
  PsqlTable(std::vector<std::string> columns, std::vector<std::vector<std::string>> rows);

  const std::vector<std::string>& columns() const
  {
    return m_columns;
  }
  std::size_t size() const
  {
    return m_rows.size();
  }
  bool has_column(std::string_view name) const;
  // "" when every required column is present, else `no column "node_id" in
  // the header "a|b"` (the output of some other command, or an error text).
  std::string missing_column(std::initializer_list<std::string_view> required) const;
  // The field of `row` in column `name`; "" when the column does not exist
  // (an older server's output) or the value is NULL.
  const std::string& value(std::size_t row, std::string_view name) const;

  // Typed fields: std::nullopt when empty (NULL or no such column); throw
  // PsqlFieldError when the text is not of the type.
  std::optional<std::int64_t> integer(std::size_t row, std::string_view name) const;
  std::optional<std::uint64_t> unsigned_integer(std::size_t row, std::string_view name) const;
  std::optional<double> decimal(std::size_t row, std::string_view name) const;
  std::optional<Lsn> lsn(std::size_t row, std::string_view name) const;

private:
  std::vector<std::string> m_columns;
  std::vector<std::vector<std::string>> m_rows;
};

// The error names the line: `line 3 has 5 fields, the header has 14`.
Expected<PsqlTable, std::string> parse_psql_unaligned(std::string_view output);

} // namespace kpg::pg
