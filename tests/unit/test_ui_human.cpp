#include "ui/human.hpp"

#include <doctest/doctest.h>

using namespace std::chrono;

TEST_CASE("format_age")
{
  using kpg::ui::format_age;
  CHECK(format_age(seconds{ -5 }) == "<invalid>");
  CHECK(format_age(seconds{ -1 }) == "0s");
  CHECK(format_age(seconds{ 0 }) == "0s");
  CHECK(format_age(seconds{ 119 }) == "119s");
  CHECK(format_age(minutes{ 2 }) == "2m");
  CHECK(format_age(minutes{ 3 } + seconds{ 20 }) == "3m20s");
  CHECK(format_age(minutes{ 15 } + seconds{ 20 }) == "15m");
  CHECK(format_age(minutes{ 179 }) == "179m");
  CHECK(format_age(hours{ 5 } + minutes{ 12 }) == "5h12m");
  CHECK(format_age(hours{ 7 }) == "7h");
  CHECK(format_age(hours{ 20 } + minutes{ 30 }) == "20h");
  CHECK(format_age(hours{ 24 * 3 + 4 }) == "3d4h");
  CHECK(format_age(hours{ 24 * 5 }) == "5d");
  CHECK(format_age(hours{ 24 * 30 }) == "30d");
  CHECK(format_age(hours{ 24 * (365 * 2 + 15) }) == "2y15d");
  CHECK(format_age(hours{ 24 * 365 * 9 }) == "9y");
}

TEST_CASE("format_bytes")
{
  using kpg::ui::format_bytes;
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(1023) == "1023 B");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(20 * 1024 * 1024) == "20.0 MiB");
  CHECK(format_bytes(3435973837ULL) == "3.2 GiB");
  CHECK(format_bytes(1ULL << 40) == "1.0 TiB");
}
