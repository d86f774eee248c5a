#include "fake_clock.hpp"
#include "ui/progress.hpp"

#include <doctest/doctest.h>

#include <sstream>

using kpg::ui::ProgressReporter;
using kpg::ui::ProgressStyle;
using namespace std::chrono;

TEST_CASE("ProgressReporter::update")
{
  kpg::test::FakeClock clock(kpg::test::fixture_time());
  std::ostringstream out;

  SUBCASE("not a terminal: one timestamped line per change")
  {
    {
      ProgressReporter progress(out, clock, ProgressStyle::timestamped_lines);
      progress.update("objects applied 12/12");
      clock.advance(seconds{ 2 });
      progress.update("members ready 2/3");
      clock.advance(seconds{ 1 });
      progress.update("members ready 2/3");
      clock.advance(seconds{ 3 });
      progress.update("members ready 3/3");
      progress.update("leader elected");
      clock.advance(milliseconds{ 1500 });
      progress.finish("pgpool ready 2/2");
    }
    CHECK(out.str() == "2026-11-21T16:50:01Z objects applied 12/12\n"
                       "2026-11-21T16:50:03Z members ready 2/3\n"
                       "2026-11-21T16:50:07Z members ready 3/3\n"
                       "2026-11-21T16:50:07Z leader elected\n"
                       "2026-11-21T16:50:08Z pgpool ready 2/2\n");
  }
  SUBCASE("terminal: one line redrawn in place with the elapsed time")
  {
    {
      ProgressReporter progress(out, clock, ProgressStyle::live_line);
      progress.update("members ready 2/3");
      clock.advance(milliseconds{ 400 });
      progress.update("members ready 2/3"); // same text, same second: no redraw
      clock.advance(milliseconds{ 700 });
      progress.update("members ready 2/3");
      clock.advance(seconds{ 74 });
      progress.update("replicas streaming 2/2");
      progress.finish("pgpool ready 2/2");
    }
    CHECK(out.str() == "\r\x1b[2Kmembers ready 2/3 (0s)"
                       "\r\x1b[2Kmembers ready 2/3 (1s)"
                       "\r\x1b[2Kreplicas streaming 2/2 (1m15s)"
                       "\r\x1b[2Kpgpool ready 2/2 (1m15s)\n");
  }
  SUBCASE("terminal: an unfinished live line is ended on destruction")
  {
    {
      ProgressReporter progress(out, clock, ProgressStyle::live_line);
      progress.update("members ready 1/3");
    }
    CHECK(out.str() == "\r\x1b[2Kmembers ready 1/3 (0s)\n");
  }
}

TEST_CASE("progress_style_for")
{
  const kpg::EnvLookup no_env = [](const std::string&) { return std::optional<std::string>(); };
  const kpg::EnvLookup dumb = [](const std::string& name) {
    return name == "TERM" ? std::optional<std::string>("dumb") : std::nullopt;
  };
  CHECK(kpg::ui::progress_style_for(true, no_env) == ProgressStyle::live_line);
  CHECK(kpg::ui::progress_style_for(false, no_env) == ProgressStyle::timestamped_lines);
  CHECK(kpg::ui::progress_style_for(true, dumb) == ProgressStyle::timestamped_lines);
}

TEST_CASE("format_elapsed")
{
  CHECK(kpg::ui::format_elapsed(seconds{ 59 }) == "59s");
  CHECK(kpg::ui::format_elapsed(seconds{ 125 }) == "2m05s");
  CHECK(kpg::ui::format_elapsed(hours{ 1 } + minutes{ 2 } + seconds{ 3 }) == "1h02m");
}
