#include "core/time_format.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace kpg {

namespace {

using namespace std::chrono;

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int> read_number(std::string_view text, std::size_t pos, std::size_t digits)
{
  if (pos + digits > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  const char* begin = text.data() + pos;
  const char* end = begin + digits;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

bool char_at(std::string_view text, std::size_t pos, std::string_view allowed)
{
  return pos < text.size() && allowed.find(text[pos]) != std::string_view::npos;
}

} // namespace

std::string format_rfc3339_utc(WallTime time)
{
  const auto seconds = floor<std::chrono::seconds>(time);
  const auto days = floor<std::chrono::days>(seconds);
  const year_month_day date{ days };
  const hh_mm_ss clock{ seconds - days };
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

Expected<WallTime, std::string> parse_rfc3339(std::string_view text)
{
  auto fail = [&] {
    return unexpected(fmt::format(
      "invalid timestamp \"{}\": expected RFC 3339, e.g. \"2026-11-21T16:50:01Z\"", text));
  };
  const auto year = read_number(text, 0, 4);
  const auto month = read_number(text, 5, 2);
  const auto day = read_number(text, 8, 2);
  const auto hour = read_number(text, 11, 2);
  const auto minute = read_number(text, 14, 2);
  const auto second = read_number(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !char_at(text, 4, "-") ||
      !char_at(text, 7, "-") || !char_at(text, 10, "Tt ") || !char_at(text, 13, ":") ||
      !char_at(text, 16, ":") || *hour > 23 || *minute > 59 || *second > 60) {
    return fail();
  }
  const year_month_day date{ std::chrono::year{ *year },
                             std::chrono::month{ static_cast<unsigned>(*month) },
                             std::chrono::day{ static_cast<unsigned>(*day) } };
  if (!date.ok()) {
    return fail();
  }
  std::size_t pos = 19;
  microseconds fraction{ 0 };
  if (char_at(text, pos, ".")) {
    ++pos;
    long long scale = 100000;
    const std::size_t start = pos;
    while (char_at(text, pos, "0123456789")) {
      fraction += microseconds{ (text[pos] - '0') * scale };
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return fail();
    }
  }
  minutes offset{ 0 };
  if (char_at(text, pos, "Zz") && pos + 1 == text.size()) {
    // UTC
  } else if (char_at(text, pos, "+-") && pos + 6 == text.size() && char_at(text, pos + 3, ":")) {
    const auto offset_hours = read_number(text, pos + 1, 2);
    const auto offset_minutes = read_number(text, pos + 4, 2);
    if (!offset_hours || !offset_minutes) {
      return fail();
    }
    offset = hours{ *offset_hours } + minutes{ *offset_minutes };
    if (text[pos] == '-') {
      offset = -offset;
    }
  } else {
    return fail();
  }
  const auto local =
    sys_days{ date } + hours{ *hour } + minutes{ *minute } + seconds{ *second } + fraction;
  return time_point_cast<system_clock::duration>(local - offset);
}

} // namespace kpg
