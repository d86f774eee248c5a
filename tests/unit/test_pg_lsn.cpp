#include "pg/lsn.hpp"
#include "pg/postgres_version.hpp"

#include <doctest/doctest.h>

using kpg::pg::Lsn;

TEST_CASE("Lsn::parse")
{
  SUBCASE("valid")
  {
    auto lsn = Lsn::parse("16/B374D848");
    REQUIRE(lsn);
    CHECK(lsn->bytes() == 0x16B374D848ULL);
    CHECK(Lsn::parse("0/0")->bytes() == 0);
    CHECK(Lsn::parse("ffffffff/FFFFFFFF")->bytes() == 0xFFFFFFFFFFFFFFFFULL);
    CHECK(Lsn::parse("0/5000148")->bytes() == 83886408);
  }
  SUBCASE("invalid: the error names the text")
  {
    for (const char* bad :
         { "", "16", "/1", "1/", "16/B374D848/1", "G/1", "123456789/0", "1/-1", " 1/1" }) {
      CAPTURE(bad);
      auto lsn = Lsn::parse(bad);
      REQUIRE_FALSE(lsn);
      CHECK(lsn.error() ==
            std::string("invalid LSN \"") + bad +
              "\": expected two hexadecimal numbers of up to 8 digits, e.g. \"16/B374D848\"");
    }
  }
}

TEST_CASE("Lsn::str")
{
  CHECK(Lsn(0).str() == "0/0");
  CHECK(Lsn(0x16B374D848ULL).str() == "16/B374D848");
  CHECK(Lsn(83886408).str() == "0/5000148");
  CHECK(Lsn(0xFFFFFFFFFFFFFFFFULL).str() == "FFFFFFFF/FFFFFFFF");
  CHECK(Lsn::parse(Lsn(0x100000000ULL).str())->bytes() == 0x100000000ULL);
}

TEST_CASE("lag_bytes")
{
  CHECK(kpg::pg::lag_bytes(Lsn(83886408), Lsn(58720584)) == 25165824);
  CHECK(kpg::pg::lag_bytes(Lsn(100), Lsn(100)) == 0);
  CHECK(kpg::pg::lag_bytes(Lsn(100), Lsn(200)) == 0);
  CHECK(kpg::pg::lag_bytes(*Lsn::parse("1/0"), *Lsn::parse("0/FFFFFFFF")) == 1);
}

TEST_CASE("format_server_version")
{
  using kpg::pg::format_server_version;
  CHECK(format_server_version(150004) == "15.4");
  CHECK(format_server_version(160000) == "16.0");
  CHECK(format_server_version(170012) == "17.12");
  CHECK(format_server_version(90624) == "9.6.24");
  CHECK(format_server_version(0).empty());
  CHECK(format_server_version(-1).empty());
}
