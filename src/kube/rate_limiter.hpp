#pragma once
// Client-side token bucket, as client-go's flowcontrol.NewTokenBucketRateLimiter:
// `burst` requests may go at once, then `qps` per second. Defaults (QPS 5,
// burst 10) are client-go's rest.DefaultQPS/DefaultBurst. Time comes from the
// injected Clock, so tests run instantly with a fake one.

#include "core/clock.hpp"

namespace kpg::kube {

class RateLimiter
{
public:
  // qps <= 0 disables limiting.
  RateLimiter(double qps, int burst, Clock& clock);
  // Takes one token, sleeping (clock.sleep_for) until one is available.
  void acquire();

private:
  double m_qps;
  double m_burst;
  double m_tokens;
  Clock::TimePoint m_last;
  Clock& m_clock;
};

} // namespace kpg::kube
