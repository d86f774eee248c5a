#pragma once
// The one Clock for unit tests: time moves only when the test advances it or
// code under test calls sleep_for (which is recorded). Wall time moves with it.

#include "core/clock.hpp"

#include <chrono>
#include <vector>

namespace kpg::test {

class FakeClock : public Clock
{
public:
  FakeClock() = default;
  // Starts at the given wall time (UTC), e.g. fixture_time().
  explicit FakeClock(std::chrono::system_clock::time_point wall) : m_wall(wall)
  {
  }
  TimePoint now() const override
  {
    return m_now;
  }
  std::chrono::system_clock::time_point wall_now() const override
  {
    return m_wall;
  }
  void sleep_for(Duration duration) override
  {
    sleeps.push_back(duration);
    advance(duration);
  }
  void advance(Duration duration)
  {
    m_now += duration;
    m_wall += std::chrono::duration_cast<std::chrono::system_clock::duration>(duration);
  }
  void set_wall(std::chrono::system_clock::time_point wall)
  {
    m_wall = wall;
  }

  std::vector<Duration> sleeps; // every sleep_for, in order

private:
  TimePoint m_now{};
  std::chrono::system_clock::time_point m_wall{};
};

// 2026-11-21T16:50:01Z, the time the fixtures are written around.
inline std::chrono::system_clock::time_point fixture_time()
{
  using namespace std::chrono;
  return sys_days{ year{ 2026 } / November / 21 } + hours{ 16 } + minutes{ 50 } + seconds{ 1 };
}

} // namespace kpg::test
