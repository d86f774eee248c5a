#include "core/interrupt.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <pthread.h>

namespace kpg {

SignalPause::SignalPause()
{
  sigemptyset(&m_signals);
  sigaddset(&m_signals, SIGINT);
  sigaddset(&m_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &m_signals, &m_previous);
}

SignalPause::~SignalPause()
{
  pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
}

PauseEnd SignalPause::pause_for(Clock::Duration duration)
{
  using namespace std::chrono;
  const auto deadline = steady_clock::now() + duration;
  for (;;) {
    const auto left =
      std::max(duration_cast<nanoseconds>(deadline - steady_clock::now()), nanoseconds(0));
    const auto whole = duration_cast<seconds>(left);
    const timespec timeout{ .tv_sec = static_cast<time_t>(whole.count()),
                            .tv_nsec = static_cast<long>((left - whole).count()) };
    if (sigtimedwait(&m_signals, nullptr, &timeout) >= 0) {
      return PauseEnd::interrupted;
    }
    if (errno != EINTR) { // EAGAIN: the time passed
      return PauseEnd::elapsed;
    }
  }
}

} // namespace kpg
