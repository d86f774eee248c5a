#include "ui/human.hpp"

#include <fmt/format.h>

#include <array>

namespace kpg::ui {

namespace {

// "<whole><unit>" or "<whole><unit><rest><subunit>" when the rest is non-zero.
std::string two_units(long long whole, const char* unit, long long rest, const char* subunit)
{
  return rest == 0 ? fmt::format("{}{}", whole, unit)
                   : fmt::format("{}{}{}{}", whole, unit, rest, subunit);
}

} // namespace

std::string format_age(std::chrono::seconds age)
{
  const long long seconds = age.count();
  if (seconds < -1) {
    return "<invalid>";
  }
  if (seconds < 0) {
    return "0s";
  }
  if (seconds < 2 * 60) {
    return fmt::format("{}s", seconds);
  }
  const long long minutes = seconds / 60;
  if (minutes < 10) {
    return two_units(minutes, "m", seconds % 60, "s");
  }
  if (minutes < 3 * 60) {
    return fmt::format("{}m", minutes);
  }
  const long long hours = minutes / 60;
  if (hours < 8) {
    return two_units(hours, "h", minutes % 60, "m");
  }
  if (hours < 48) {
    return fmt::format("{}h", hours);
  }
  if (hours < 24 * 8) {
    return two_units(hours / 24, "d", hours % 24, "h");
  }
  if (hours < 24 * 365 * 2) {
    return fmt::format("{}d", hours / 24);
  }
  if (hours < 24 * 365 * 8) {
    return two_units(hours / 24 / 365, "y", (hours / 24) % 365, "d");
  }
  return fmt::format("{}y", hours / 24 / 365);
}

std::string format_bytes(std::uint64_t bytes)
{
  if (bytes < 1024) {
    return fmt::format("{} B", bytes);
  }
  constexpr std::array k_units{ "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < k_units.size()) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, k_units[unit]);
}

} // namespace kpg::ui
