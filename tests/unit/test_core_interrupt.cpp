#include "core/interrupt.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>

using kpg::PauseEnd;
using kpg::SignalPause;

TEST_CASE("SignalPause::pause_for")
{
  using namespace std::chrono;
  SignalPause pause;

  SUBCASE("the time passes")
  {
    const auto start = steady_clock::now();
    CHECK(pause.pause_for(milliseconds(20)) == PauseEnd::elapsed);
    CHECK(steady_clock::now() - start >= milliseconds(20));
  }
  SUBCASE("a SIGINT that arrived during a request ends the next pause at once")
  {
    CHECK(raise(SIGINT) == 0); // blocked: pending, not fatal
    const auto start = steady_clock::now();
    CHECK(pause.pause_for(seconds(30)) == PauseEnd::interrupted);
    CHECK(steady_clock::now() - start < seconds(5));
  }
  SUBCASE("SIGTERM too")
  {
    CHECK(raise(SIGTERM) == 0);
    CHECK(pause.pause_for(seconds(30)) == PauseEnd::interrupted);
  }
}
