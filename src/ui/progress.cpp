#include "ui/progress.hpp"

#include "core/time_format.hpp"

#include <fmt/format.h>

#include <ostream>

namespace kpg::ui {

namespace {

constexpr std::string_view k_redraw = "\r\x1b[2K"; // carriage return, erase the whole line

} // namespace

ProgressStyle progress_style_for(bool stream_is_tty, const EnvLookup& getenv)
{
  const auto term = getenv("TERM");
  return stream_is_tty && !(term && *term == "dumb") ? ProgressStyle::live_line
                                                     : ProgressStyle::timestamped_lines;
}

std::string format_elapsed(Clock::Duration elapsed)
{
  const auto total = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
  if (total < 60) {
    return fmt::format("{}s", total);
  }
  if (total < 3600) {
    return fmt::format("{}m{:02}s", total / 60, total % 60);
  }
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}

ProgressReporter::ProgressReporter(std::ostream& out, const Clock& clock, ProgressStyle style)
  : m_out(out)
  , m_clock(clock)
  , m_style(style)
  , m_start(clock.now())
{
}

ProgressReporter::~ProgressReporter()
{
  if (m_line_open) {
    m_out << '\n' << std::flush;
  }
}

std::string ProgressReporter::live_text(std::string_view status) const
{
  return fmt::format("{} ({})", status, format_elapsed(m_clock.now() - m_start));
}

void ProgressReporter::update(std::string_view status)
{
  if (m_style == ProgressStyle::timestamped_lines) {
    if (status != m_last) {
      m_out << format_rfc3339_utc(m_clock.wall_now()) << ' ' << status << '\n' << std::flush;
      m_last = status;
    }
    return;
  }
  std::string text = live_text(status);
  if (text != m_last || !m_line_open) {
    m_out << k_redraw << text << std::flush;
    m_last = std::move(text);
    m_line_open = true;
  }
}

void ProgressReporter::finish(std::string_view status)
{
  if (m_style == ProgressStyle::timestamped_lines) {
    update(status);
    return;
  }
  m_out << k_redraw << live_text(status) << '\n' << std::flush;
  m_last.clear();
  m_line_open = false;
}

} // namespace kpg::ui
