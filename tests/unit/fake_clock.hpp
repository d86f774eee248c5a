#pragma once
// A Clock for tests: time moves only when the test (or sleep_for) advances it.

#include "core/clock.hpp"

namespace kpg::test {

class FakeClock : public Clock
{
public:
  // Starts at the given wall time (UTC), e.g. 2026-11-21T16:50:01Z.
  explicit FakeClock(std::chrono::system_clock::time_point wall)
    : m_wall(wall)
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
    advance(duration);
  }
  void advance(Duration duration)
  {
    m_now += duration;
    m_wall += std::chrono::duration_cast<std::chrono::system_clock::duration>(duration);
  }

private:
  TimePoint m_now{};
  std::chrono::system_clock::time_point m_wall;
};

// 2026-11-21T16:50:01Z, the time the fixtures are written around.
inline std::chrono::system_clock::time_point fixture_time()
{
  using namespace std::chrono;
  return sys_days{ year{ 2026 } / November / 21 } + hours{ 16 } + minutes{ 50 } + seconds{ 1 };
}

} // namespace kpg::test
