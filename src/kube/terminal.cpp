#include "kube/terminal.hpp"

#include "core/error.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <termios.h>
#include <unistd.h>

namespace kpg::kube {

namespace {

constexpr std::array k_fatal_signals{ SIGINT, SIGTERM, SIGHUP, SIGQUIT };

// The terminal to restore from a signal handler. A handler can reach only static
// storage, so this is the one process-wide slot exec's TTY mode needs; it is
// written only while no handler is installed.
struct SavedTerminal
{
  int fd = -1;
  termios mode{};
  std::array<struct sigaction, k_fatal_signals.size()> previous{};
  volatile std::sig_atomic_t armed = 0;
};

SavedTerminal& saved_terminal()
{
  static SavedTerminal saved; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
  return saved;
}

extern "C" void restore_and_reraise(int signal_number)
{
  SavedTerminal& saved = saved_terminal();
  if (saved.armed != 0) {
    ::tcsetattr(saved.fd, TCSANOW, &saved.mode); // async-signal-safe
  }
  // SA_RESETHAND already made the action SIG_DFL: the re-raised signal, pending
  // until this handler returns, then ends the process as if never caught.
  static_cast<void>(::raise(signal_number));
}

// Restores the saved mode and the previous signal actions.
void restore_saved_terminal()
{
  SavedTerminal& saved = saved_terminal();
  ::tcsetattr(saved.fd, TCSANOW, &saved.mode);
  saved.armed = 0;
  for (std::size_t i = 0; i < k_fatal_signals.size(); ++i) {
    ::sigaction(k_fatal_signals[i], &saved.previous[i], nullptr);
  }
  saved.fd = -1;
}

} // namespace

std::optional<TerminalSize> terminal_size(int fd)
{
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || (size.ws_col == 0 && size.ws_row == 0)) {
    return std::nullopt;
  }
  return TerminalSize{ size.ws_col, size.ws_row };
}

RawTerminal::RawTerminal(int fd)
{
  if (::isatty(fd) == 0) {
    return;
  }
  SavedTerminal& saved = saved_terminal();
  if (saved.armed != 0) {
    throw Error("the terminal is already in raw mode for another exec");
  }
  termios mode{};
  if (::tcgetattr(fd, &mode) != 0) {
    throw Error(fmt::format("reading the terminal mode of fd {}: {}", fd,
                            std::strerror(errno))); // NOLINT(concurrency-mt-unsafe)
  }
  saved.fd = fd;
  saved.mode = mode;
  struct sigaction action
  {};
  action.sa_handler = restore_and_reraise;
  sigemptyset(&action.sa_mask);
  action.sa_flags = static_cast<int>(SA_RESETHAND);
  for (std::size_t i = 0; i < k_fatal_signals.size(); ++i) {
    ::sigaction(k_fatal_signals[i], &action, &saved.previous[i]);
  }
  saved.armed = 1;
  termios raw = mode;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd, TCSANOW, &raw) != 0) {
    const int error = errno;
    restore_saved_terminal();
    throw Error(fmt::format("setting fd {} to raw mode: {}", fd,
                            std::strerror(error))); // NOLINT(concurrency-mt-unsafe)
  }
  m_active = true;
}

RawTerminal::~RawTerminal()
{
  if (m_active) {
    restore_saved_terminal();
  }
}

} // namespace kpg::kube
