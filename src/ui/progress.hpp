#pragma once
// Progress of a long operation (create --wait, scale, delete), written to
// stderr so stdout stays clean for -o output.
//
// On a terminal (ProgressStyle::live_line) one line is redrawn in place
// ("\r", erase line) with the current status and the time elapsed:
//   members ready 2/3 (14s)
// Otherwise (ProgressStyle::timestamped_lines, CI logs) each new status is
// printed once, on its own line, with the wall-clock time in UTC:
//   2026-11-21T16:50:01Z members ready 2/3
// Times come from the injected Clock, so tests drive it with a fake.

#include "core/clock.hpp"
#include "core/context.hpp"

#include <iosfwd>
#include <string>
#include <string_view>

namespace kpg::ui {

enum class ProgressStyle
{
  live_line,
  timestamped_lines
};

// live_line for a terminal whose TERM is not "dumb", timestamped_lines otherwise.
ProgressStyle progress_style_for(bool stream_is_tty, const EnvLookup& getenv);

class ProgressReporter
{
public:
  ProgressReporter(std::ostream& out, const Clock& clock, ProgressStyle style);
  // Ends a live line that finish() did not end, so later output starts clean.
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // The current status, e.g. "members ready 2/3". Call it on every poll: a
  // live line is redrawn when the text or the elapsed second changes; a
  // timestamped line is printed only when the status differs from the last.
  void update(std::string_view status);

  // The final status ("pgpool ready 2/2"); ends the live line with a newline.
  void finish(std::string_view status);

private:
  std::string live_text(std::string_view status) const;

  std::ostream& m_out;
  const Clock& m_clock;
  ProgressStyle m_style;
  Clock::TimePoint m_start;
  std::string m_last;       // last status (lines) or last drawn text (live)
  bool m_line_open = false; // a live line is drawn and not yet ended
};

// "14s", "2m05s", "1h02m": the elapsed time shown on the live line.
std::string format_elapsed(Clock::Duration elapsed);

} // namespace kpg::ui
