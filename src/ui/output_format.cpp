#include "ui/output_format.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace kpg::ui {

namespace {

constexpr std::array k_all_formats{ OutputFormat::table, OutputFormat::wide, OutputFormat::yaml,
                                    OutputFormat::json, OutputFormat::name };

} // namespace

std::span<const OutputFormat> all_output_formats()
{
  return k_all_formats;
}

std::string_view to_string(OutputFormat format)
{
  switch (format) {
    case OutputFormat::table:
      return "table";
    case OutputFormat::wide:
      return "wide";
    case OutputFormat::yaml:
      return "yaml";
    case OutputFormat::json:
      return "json";
    case OutputFormat::name:
      return "name";
  }
  return "table";
}

std::string describe_output_formats(std::span<const OutputFormat> allowed)
{
  std::vector<std::string_view> names;
  names.reserve(allowed.size());
  for (OutputFormat format : allowed) {
    names.push_back(to_string(format));
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

OutputFormat parse_output_format(std::string_view text, std::span<const OutputFormat> allowed)
{
  const std::string_view wanted = text.empty() ? std::string_view("table") : text;
  const auto found = std::find_if(allowed.begin(), allowed.end(),
                                  [&](OutputFormat format) { return to_string(format) == wanted; });
  if (found == allowed.end()) {
    throw UsageError(
      fmt::format("invalid output format \"{}\" (-o/--output): allowed values are {}", text,
                  describe_output_formats(allowed)));
  }
  return *found;
}

} // namespace kpg::ui
