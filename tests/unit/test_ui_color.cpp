#include "core/error.hpp"
#include "ui/color.hpp"

#include <doctest/doctest.h>

#include <map>

namespace {

kpg::EnvLookup env(std::map<std::string, std::string> values)
{
  return [values](const std::string& name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) {
      return std::nullopt;
    }
    return found->second;
  };
}

} // namespace

using kpg::ui::ColorMode;

TEST_CASE("use_color")
{
  SUBCASE("auto: only on a terminal")
  {
    CHECK(kpg::ui::use_color(ColorMode::automatic, true, env({})));
    CHECK_FALSE(kpg::ui::use_color(ColorMode::automatic, false, env({})));
  }
  SUBCASE("auto: NO_COLOR set and not empty turns it off (no-color.org)")
  {
    CHECK_FALSE(kpg::ui::use_color(ColorMode::automatic, true, env({ { "NO_COLOR", "1" } })));
    CHECK(kpg::ui::use_color(ColorMode::automatic, true, env({ { "NO_COLOR", "" } })));
  }
  SUBCASE("auto: TERM=dumb turns it off")
  {
    CHECK_FALSE(kpg::ui::use_color(ColorMode::automatic, true, env({ { "TERM", "dumb" } })));
    CHECK(kpg::ui::use_color(ColorMode::automatic, true, env({ { "TERM", "xterm-256color" } })));
  }
  SUBCASE("always and never override everything")
  {
    CHECK(kpg::ui::use_color(ColorMode::always, false, env({ { "NO_COLOR", "1" } })));
    CHECK_FALSE(kpg::ui::use_color(ColorMode::never, true, env({})));
  }
}

TEST_CASE("parse_color_mode")
{
  CHECK(kpg::ui::parse_color_mode("auto") == ColorMode::automatic);
  CHECK(kpg::ui::parse_color_mode("always") == ColorMode::always);
  CHECK(kpg::ui::parse_color_mode("never") == ColorMode::never);
  CHECK_THROWS_WITH_AS(kpg::ui::parse_color_mode("yes"),
                       "invalid color mode \"yes\" (--color): allowed values are auto, always, "
                       "never",
                       kpg::UsageError);
}

TEST_CASE("Palette::paint")
{
  const kpg::ui::Palette on(kpg::ui::Palette::State::enabled);
  const kpg::ui::Palette off;
  CHECK(on.paint("healthy", kpg::ui::Color::green) == "\x1b[32mhealthy\x1b[0m");
  CHECK(on.paint("degraded", kpg::ui::Color::yellow) == "\x1b[33mdegraded\x1b[0m");
  CHECK(on.paint("", kpg::ui::Color::red).empty());
  CHECK(off.paint("healthy", kpg::ui::Color::green) == "healthy");
}
