#pragma once
// The local terminal for `exec -t`: raw mode that is always undone, and the
// window size the resize channel reports. Nothing here touches a descriptor that
// is not a terminal: with stdin redirected, exec runs without a TTY.
//
// Raw mode is cfmakeraw(3), the settings Go's golang.org/x/term MakeRaw applies
// for kubectl (no echo, no line editing, no signals from ^C: the remote side gets
// the byte). Sources: kubectl pkg/cmd/exec/exec.go, kubectl pkg/util/term/term.go.

#include "kube/channel_protocol.hpp"

#include <optional>

namespace kpg::kube {

// The size of the terminal on `fd` (TIOCGWINSZ); std::nullopt when `fd` is not a
// terminal or reports 0x0.
std::optional<TerminalSize> terminal_size(int fd);

// Puts the terminal on `fd` into raw mode for the lifetime of the object and
// restores the saved mode on every exit path: the destructor (normal return or an
// exception) and the signals that end the process by default (SIGINT, SIGTERM,
// SIGHUP, SIGQUIT), whose handlers restore the mode and then re-raise the signal
// with its default action, so the exit status still says "killed by SIGTERM".
// When `fd` is not a terminal, nothing is changed and active() is false.
// One RawTerminal at a time per process (the signal handlers share one slot);
// constructing a second while one is active throws kpg::Error.
class RawTerminal
{
public:
  explicit RawTerminal(int fd);
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

  bool active() const
  {
    return m_active;
  }

private:
  bool m_active = false;
};

} // namespace kpg::kube
