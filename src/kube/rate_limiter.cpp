#include "kube/rate_limiter.hpp"

#include <algorithm>
#include <chrono>

namespace kpg::kube {

RateLimiter::RateLimiter(double qps, int burst, Clock& clock)
  : m_qps(qps)
  , m_burst(std::max(1, burst))
  , m_tokens(m_burst)
  , m_last(clock.now())
  , m_clock(clock)
{
}

void RateLimiter::acquire()
{
  if (m_qps <= 0) {
    return;
  }
  const auto now = m_clock.now();
  const std::chrono::duration<double> elapsed = now - m_last;
  m_last = now;
  m_tokens = std::min(m_burst, m_tokens + elapsed.count() * m_qps);
  if (m_tokens >= 1.0) {
    m_tokens -= 1.0;
    return;
  }
  const std::chrono::duration<double> wait((1.0 - m_tokens) / m_qps);
  m_clock.sleep_for(std::chrono::duration_cast<Clock::Duration>(wait));
  m_last = m_clock.now();
  m_tokens = 0.0;
}

} // namespace kpg::kube
