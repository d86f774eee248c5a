#pragma once
// Pauses that Ctrl-C can cut short, for commands that repeat until stopped
// (status --watch). No global flag and no signal handler: while a
// SignalPause lives, SIGINT and SIGTERM are blocked in the calling thread
// (and in the threads it starts), so they stay pending instead of ending the
// process, and pause_for() takes one with sigtimedwait(2). A signal that
// arrives during an HTTP request is taken at the next pause, which then
// returns at once. The previous signal mask is restored on destruction.

#include "core/clock.hpp"

#include <csignal>

namespace kpg {

enum class PauseEnd
{
  elapsed,     // the whole duration passed
  interrupted, // SIGINT or SIGTERM arrived
};

class Pause
{
public:
  virtual ~Pause() = default;
  virtual PauseEnd pause_for(Clock::Duration duration) = 0;
};

class SignalPause final : public Pause
{
public:
  SignalPause();
  ~SignalPause() override;
  SignalPause(const SignalPause&) = delete;
  SignalPause& operator=(const SignalPause&) = delete;

  PauseEnd pause_for(Clock::Duration duration) override;

private:
  sigset_t m_signals{};
  sigset_t m_previous{};
};

} // namespace kpg
