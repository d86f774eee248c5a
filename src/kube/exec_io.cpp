#include "kube/exec_io.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <istream>
#include <ostream>
#include <poll.h>
#include <unistd.h>
#include <utility>

namespace kpg::kube {

namespace {

[[noreturn]] void throw_errno(std::string_view what, std::string_view name)
{
  const int error = errno;
  throw Error(
    fmt::format("{} {}: {}", what, name, std::strerror(error))); // NOLINT(concurrency-mt-unsafe)
}

// Waits until `fd` is ready for `events`, or (when wake_fd >= 0) until wake_fd is
// readable. Returns false when woken.
bool wait_ready(int fd, short events, int wake_fd, std::string_view name)
{
  std::array<pollfd, 2> fds{ pollfd{ fd, events, 0 }, pollfd{ wake_fd, POLLIN, 0 } };
  const nfds_t count = wake_fd >= 0 ? 2 : 1;
  while (::poll(fds.data(), count, -1) < 0) {
    if (errno != EINTR) {
      throw_errno("waiting for", name);
    }
  }
  return count == 1 || fds[1].revents == 0;
}

} // namespace

FdInput::FdInput(int fd, std::string name)
  : m_fd(fd)
  , m_name(std::move(name))
{
  std::array<int, 2> wake{};
  if (::pipe2(wake.data(), O_CLOEXEC) != 0) {
    throw_errno("creating the wake-up pipe for", m_name);
  }
  m_wake_read = wake[0];
  m_wake_write = wake[1];
}

FdInput::~FdInput()
{
  ::close(m_wake_read);
  ::close(m_wake_write);
}

std::size_t FdInput::read(std::span<char> buffer)
{
  while (!m_interrupted.load()) {
    if (!wait_ready(m_fd, POLLIN, m_wake_read, m_name)) {
      return 0;
    }
    const ssize_t count = ::read(m_fd, buffer.data(), buffer.size());
    if (count >= 0) {
      return static_cast<std::size_t>(count);
    }
    if (errno != EINTR && errno != EAGAIN) {
      throw_errno("reading", m_name);
    }
  }
  return 0;
}

void FdInput::interrupt()
{
  m_interrupted.store(true);
  const char byte = 0;
  // A full pipe already wakes the reader, so a failed write changes nothing.
  [[maybe_unused]] const ssize_t written = ::write(m_wake_write, &byte, 1);
}

FdOutput::FdOutput(int fd, std::string name)
  : m_fd(fd)
  , m_name(std::move(name))
{
}

void FdOutput::write(std::span<const char> bytes)
{
  while (!bytes.empty()) {
    const ssize_t count = ::write(m_fd, bytes.data(), bytes.size());
    if (count >= 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(count));
    } else if (errno == EAGAIN) {
      wait_ready(m_fd, POLLOUT, -1, m_name);
    } else if (errno != EINTR) {
      throw_errno("writing", m_name);
    }
  }
}

IstreamInput::IstreamInput(std::istream& in)
  : m_in(in)
{
}

std::size_t IstreamInput::read(std::span<char> buffer)
{
  if (m_interrupted.load() || !m_in) {
    return 0;
  }
  m_in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  if (m_in.bad()) {
    throw Error("reading the input stream failed");
  }
  return static_cast<std::size_t>(m_in.gcount());
}

void IstreamInput::interrupt()
{
  m_interrupted.store(true);
}

OstreamOutput::OstreamOutput(std::ostream& out)
  : m_out(out)
{
}

void OstreamOutput::write(std::span<const char> bytes)
{
  m_out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!m_out) {
    throw Error("writing the output stream failed");
  }
}

} // namespace kpg::kube
