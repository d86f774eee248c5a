#pragma once
// Time as commands see it. Production code uses SystemClock; tests inject a
// fake whose sleep_for advances now() instantly, so waits are deterministic.

#include <chrono>

namespace kpg {

class Clock
{
public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // Monotonic time, for deadlines and durations.
  virtual TimePoint now() const = 0;
  // Wall-clock time, for timestamps shown to users and log lines.
  virtual std::chrono::system_clock::time_point wall_now() const = 0;
  virtual void sleep_for(Duration duration) = 0;
};

class SystemClock : public Clock
{
public:
  TimePoint now() const override;
  std::chrono::system_clock::time_point wall_now() const override;
  void sleep_for(Duration duration) override;
};

} // namespace kpg
