#include "core/base64.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("base64_encode")
{
  CHECK(kpg::base64_encode("postgres") == "cG9zdGdyZXM=");
  CHECK(kpg::base64_encode("pg") == "cGc=");
  CHECK(kpg::base64_encode("") == "");
  CHECK(kpg::base64_encode(std::string("\xfb\xff", 2)) == "+/8=");
}

TEST_CASE("base64_decode")
{
  SUBCASE("padded text, newlines ignored")
  {
    const auto decoded = kpg::base64_decode("cG9z\ndGdyZXM=");
    REQUIRE(decoded.has_value());
    CHECK(*decoded == "postgres");
  }
  SUBCASE("illegal characters")
  {
    const auto decoded = kpg::base64_decode("cG9z*GdyZXM=");
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error() == "illegal base64 data");
  }
}
