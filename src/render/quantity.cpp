#include "render/quantity.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace kpg::render {

namespace {

constexpr std::array<std::pair<std::string_view, long double>, 14> k_suffixes{{
  {"Ki", 1024.0L},
  {"Mi", 1048576.0L},
  {"Gi", 1073741824.0L},
  {"Ti", 1099511627776.0L},
  {"Pi", 1125899906842624.0L},
  {"Ei", 1152921504606846976.0L},
  {"n", 1e-9L},
  {"u", 1e-6L},
  {"m", 1e-3L},
  {"k", 1e3L},
  {"M", 1e6L},
  {"G", 1e9L},
  {"T", 1e12L},
  {"P", 1e15L},
}};

bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

// Consumes [+-]?(digits|digits.|.digits|digits.digits) and returns its value.
std::optional<long double> take_number(std::string_view& text, bool allow_fraction)
{
  std::size_t pos = 0;
  long double sign = 1.0L;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    sign = text[pos] == '-' ? -1.0L : 1.0L;
    ++pos;
  }
  long double value = 0.0L;
  std::size_t digits = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    value = value * 10.0L + static_cast<long double>(text[pos] - '0');
    ++pos;
    ++digits;
  }
  if (allow_fraction && pos < text.size() && text[pos] == '.') {
    ++pos;
    long double scale = 0.1L;
    while (pos < text.size() && is_digit(text[pos])) {
      value += scale * static_cast<long double>(text[pos] - '0');
      scale /= 10.0L;
      ++pos;
      ++digits;
    }
  }
  if (digits == 0) {
    return std::nullopt;
  }
  text.remove_prefix(pos);
  return sign * value;
}

} // namespace

std::optional<long double> parse_quantity(std::string_view text)
{
  auto number = take_number(text, true);
  if (!number) {
    return std::nullopt;
  }
  if (text.empty()) {
    return number;
  }
  if (text.front() == 'e' || text.front() == 'E') {
    text.remove_prefix(1);
    const auto exponent = take_number(text, false);
    if (!exponent || !text.empty()) {
      return std::nullopt;
    }
    return *number * std::pow(10.0L, *exponent);
  }
  for (const auto& [suffix, multiplier] : k_suffixes) {
    if (text == suffix) {
      return *number * multiplier;
    }
  }
  return std::nullopt;
}

} // namespace kpg::render
