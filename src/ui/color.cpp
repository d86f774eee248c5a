#include "ui/color.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

namespace kpg::ui {

ColorMode parse_color_mode(std::string_view text)
{
  if (text == "auto") {
    return ColorMode::automatic;
  }
  if (text == "always") {
    return ColorMode::always;
  }
  if (text == "never") {
    return ColorMode::never;
  }
  throw UsageError(fmt::format(
    "invalid color mode \"{}\" (--color): allowed values are auto, always, never", text));
}

bool use_color(ColorMode mode, bool stream_is_tty, const EnvLookup& getenv)
{
  switch (mode) {
    case ColorMode::always:
      return true;
    case ColorMode::never:
      return false;
    case ColorMode::automatic:
      break;
  }
  if (!stream_is_tty) {
    return false;
  }
  const auto no_color = getenv("NO_COLOR");
  if (no_color && !no_color->empty()) {
    return false;
  }
  const auto term = getenv("TERM");
  return !(term && *term == "dumb");
}

std::string Palette::paint(std::string_view text, Color color) const
{
  if (!enabled() || text.empty()) {
    return std::string(text);
  }
  const char* code = "";
  switch (color) {
    case Color::green:
      code = "32";
      break;
    case Color::yellow:
      code = "33";
      break;
    case Color::red:
      code = "31";
      break;
    case Color::bold:
      code = "1";
      break;
    case Color::dim:
      code = "2";
      break;
  }
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

} // namespace kpg::ui
