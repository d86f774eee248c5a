#pragma once
// The -o/--output formats every command shares, as kubectl names them
// (cli-runtime pkg/genericclioptions/print_flags.go): table (the default),
// wide (the table with extra columns), yaml, json and name ("kind/name").

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::ui {

enum class OutputFormat
{
  table,
  wide,
  yaml,
  json,
  name
};

// Every format, in the order help and errors list them.
std::span<const OutputFormat> all_output_formats();

// "table", "wide", "yaml", "json" or "name".
std::string_view to_string(OutputFormat format);

// Parses the value of -o against the formats a command supports; "" means
// table. Throws kpg::UsageError (exit code 2) naming the value and listing the
// allowed ones: `invalid output format "xml" (-o/--output): allowed values are
// table, wide, yaml, json, name`.
OutputFormat parse_output_format(std::string_view text, std::span<const OutputFormat> allowed);

// "table, wide, yaml, json, name": for help texts.
std::string describe_output_formats(std::span<const OutputFormat> allowed);

} // namespace kpg::ui
