#include "core/time_format.hpp"
#include "fake_clock.hpp"

#include <doctest/doctest.h>

using namespace std::chrono;

TEST_CASE("format_rfc3339_utc")
{
  CHECK(kpg::format_rfc3339_utc(kpg::test::fixture_time()) == "2026-11-21T16:50:01Z");
  CHECK(kpg::format_rfc3339_utc(kpg::test::fixture_time() + milliseconds{ 999 }) ==
        "2026-11-21T16:50:01Z");
  CHECK(kpg::format_rfc3339_utc(system_clock::time_point{}) == "1970-01-01T00:00:00Z");
}

TEST_CASE("parse_rfc3339")
{
  const auto base = kpg::test::fixture_time();
  SUBCASE("Kubernetes metadata, UTC")
  {
    auto parsed = kpg::parse_rfc3339("2026-11-21T16:50:01Z");
    REQUIRE(parsed);
    CHECK(*parsed == base);
  }
  SUBCASE("Patroni history, offset")
  {
    auto parsed = kpg::parse_rfc3339("2026-11-21T18:50:01+02:00");
    REQUIRE(parsed);
    CHECK(*parsed == base);
    auto west = kpg::parse_rfc3339("2026-11-21T13:20:01-03:30");
    REQUIRE(west);
    CHECK(*west == base);
  }
  SUBCASE("Python isoformat with a space and microseconds")
  {
    auto parsed = kpg::parse_rfc3339("2026-11-21 16:50:01.352526+00:00");
    REQUIRE(parsed);
    CHECK(*parsed == base + microseconds{ 352526 });
    auto short_fraction = kpg::parse_rfc3339("2026-11-21T16:50:01.5Z");
    REQUIRE(short_fraction);
    CHECK(*short_fraction == base + milliseconds{ 500 });
  }
  SUBCASE("errors name the text")
  {
    for (const char* bad :
         { "", "2026-11-21", "2026-11-21T16:50:01", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
           "2026-11-21T16:50:01+0200", "2026-11-21T16:50:01Zjunk", "2026-11-21T16:50:01.Z" }) {
      CAPTURE(bad);
      auto parsed = kpg::parse_rfc3339(bad);
      REQUIRE_FALSE(parsed);
      CHECK(parsed.error() == std::string("invalid timestamp \"") + bad +
                                "\": expected RFC 3339, e.g. \"2026-11-21T16:50:01Z\"");
    }
  }
}
