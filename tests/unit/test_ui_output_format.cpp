#include "core/error.hpp"
#include "ui/output_format.hpp"

#include <doctest/doctest.h>

#include <array>

using kpg::ui::OutputFormat;

TEST_CASE("parse_output_format")
{
  const auto all = kpg::ui::all_output_formats();
  SUBCASE("every format by name; empty means table")
  {
    CHECK(kpg::ui::parse_output_format("", all) == OutputFormat::table);
    CHECK(kpg::ui::parse_output_format("table", all) == OutputFormat::table);
    CHECK(kpg::ui::parse_output_format("wide", all) == OutputFormat::wide);
    CHECK(kpg::ui::parse_output_format("yaml", all) == OutputFormat::yaml);
    CHECK(kpg::ui::parse_output_format("json", all) == OutputFormat::json);
    CHECK(kpg::ui::parse_output_format("name", all) == OutputFormat::name);
  }
  SUBCASE("an unknown value is a usage error listing the allowed values")
  {
    try {
      kpg::ui::parse_output_format("xml", all);
      FAIL("no error");
    } catch (const kpg::UsageError& e) {
      CHECK(std::string(e.what()) ==
            "invalid output format \"xml\" (-o/--output): allowed values are table, wide, "
            "yaml, json, name");
      CHECK(e.code() == kpg::ExitCode::usage);
    }
  }
  SUBCASE("a command may support fewer formats")
  {
    constexpr std::array structured{ OutputFormat::json, OutputFormat::yaml };
    CHECK(kpg::ui::parse_output_format("yaml", structured) == OutputFormat::yaml);
    CHECK_THROWS_WITH_AS(kpg::ui::parse_output_format("wide", structured),
                         "invalid output format \"wide\" (-o/--output): allowed values are "
                         "json, yaml",
                         kpg::UsageError);
  }
}
