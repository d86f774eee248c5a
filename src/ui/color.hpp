#pragma once
// When to colour output, and the colours used. Colour is on only when the
// stream is a terminal and NO_COLOR is unset or empty (https://no-color.org),
// and TERM is not "dumb"; --color=always and --color=never override.

#include "core/context.hpp"

#include <string>
#include <string_view>

namespace kpg::ui {

// The --color flag: auto (the default), always, never.
enum class ColorMode
{
  automatic,
  always,
  never
};

// Parses "auto", "always" or "never"; throws kpg::UsageError listing them.
ColorMode parse_color_mode(std::string_view text);

// Whether a stream gets colour under `mode`, given whether it is a terminal.
bool use_color(ColorMode mode, bool stream_is_tty, const EnvLookup& getenv);

enum class Color
{
  green,
  yellow,
  red,
  bold,
  dim
};

// Wraps text in ANSI SGR sequences when enabled; passes it through otherwise.
// Printers compute column widths on the plain text and paint afterwards.
class Palette
{
public:
  enum class State
  {
    disabled,
    enabled
  };

  explicit Palette(State state = State::disabled)
    : m_state(state)
  {
  }
  static Palette for_stream(ColorMode mode, bool stream_is_tty, const EnvLookup& getenv)
  {
    return Palette(use_color(mode, stream_is_tty, getenv) ? State::enabled : State::disabled);
  }
  // The palette of a command's output (ctx.out) under the global --color flag.
  static Palette for_stdout(const Context& ctx)
  {
    return for_stream(parse_color_mode(ctx.options.color), ctx.stdout_is_tty, ctx.getenv);
  }

  bool enabled() const
  {
    return m_state == State::enabled;
  }
  std::string paint(std::string_view text, Color color) const;

private:
  State m_state;
};

} // namespace kpg::ui
