#include "core/expected.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

kpg::Expected<int, std::string> parse_positive(int value)
{
  if (value <= 0) {
    return kpg::unexpected(std::string("must be positive"));
  }
  return value;
}

} // namespace

TEST_CASE("Expected")
{
  SUBCASE("holds a value")
  {
    auto result = parse_positive(3);
    REQUIRE(result);
    CHECK(*result == 3);
  }
  SUBCASE("holds an error")
  {
    auto result = parse_positive(-1);
    REQUIRE_FALSE(result);
    CHECK(result.error() == "must be positive");
  }
}
