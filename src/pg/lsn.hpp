#pragma once
// PostgreSQL write-ahead log positions (LSN, type pg_lsn): a 64-bit byte
// position written as two hexadecimal halves, "16/B374D848" (upper 32 bits /
// lower 32 bits, PostgreSQL's pg_lsn_out). Patroni's REST API reports the same
// positions as plain integers (bytes since 0/0, pg_wal_lsn_diff(lsn, '0/0')).

#include "core/expected.hpp"

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace kpg::pg {

class Lsn
{
public:
  constexpr Lsn() = default;
  constexpr explicit Lsn(std::uint64_t bytes)
    : m_bytes(bytes)
  {
  }

  // Parses "16/B374D848" (1 to 8 hex digits each side, either case, as
  // PostgreSQL's pg_lsn_in accepts). The error names the text.
  static Expected<Lsn, std::string> parse(std::string_view text);

  // "16/B374D848": upper-case hex, no leading zeros ("0/0" for zero).
  std::string str() const;

  constexpr std::uint64_t bytes() const
  {
    return m_bytes;
  }
  friend constexpr auto operator<=>(Lsn, Lsn) = default;

private:
  std::uint64_t m_bytes = 0;
};

// Bytes by which `behind` trails `ahead`; 0 when it does not trail (a replica
// that reports a position past the leader's last known one is not lagging).
constexpr std::uint64_t lag_bytes(Lsn ahead, Lsn behind)
{
  return ahead > behind ? ahead.bytes() - behind.bytes() : 0;
}

} // namespace kpg::pg
