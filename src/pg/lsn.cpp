#include "pg/lsn.hpp"

#include <fmt/format.h>

#include <charconv>

namespace kpg::pg {

namespace {

constexpr std::size_t k_max_half_digits = 8;

bool parse_half(std::string_view text, std::uint32_t& value)
{
  if (text.empty() || text.size() > k_max_half_digits) {
    return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return ec == std::errc() && ptr == text.data() + text.size();
}

} // namespace

Expected<Lsn, std::string> Lsn::parse(std::string_view text)
{
  const auto slash = text.find('/');
  std::uint32_t high = 0;
  std::uint32_t low = 0;
  if (slash == std::string_view::npos || !parse_half(text.substr(0, slash), high) ||
      !parse_half(text.substr(slash + 1), low)) {
    return unexpected(fmt::format("invalid LSN \"{}\": expected two hexadecimal numbers of up to 8 "
                                  "digits, e.g. \"16/B374D848\"",
                                  text));
  }
  return Lsn((static_cast<std::uint64_t>(high) << 32U) | low);
}

std::string Lsn::str() const
{
  return fmt::format("{:X}/{:X}", m_bytes >> 32U, m_bytes & 0xFFFFFFFFU);
}

} // namespace kpg::pg
