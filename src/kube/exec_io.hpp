#pragma once
// The local ends of an exec: where stdin bytes come from and where stdout and
// stderr bytes go. exec() moves bytes in chunks (64 KiB) and never holds a whole
// stream, so a multi-GiB backup flows through in flat memory.
//
// Threading: ExecInput::read() runs on a dedicated stdin thread; ExecOutput::write()
// runs on the thread that called exec(). A write that blocks holds back reading
// from the server, which is the backpressure: the server stops sending when the
// local consumer stops reading.

#include <atomic>
#include <cstddef>
#include <iosfwd>
#include <span>
#include <string>

namespace kpg::kube {

class ExecInput
{
public:
  virtual ~ExecInput() = default;
  // Reads up to buffer.size() bytes, blocking until some are available; returns 0
  // at end of input or after interrupt(). Throws kpg::Error when reading fails.
  virtual std::size_t read(std::span<char> buffer) = 0;
  // Called from another thread when the exec ends: makes a blocked read() return
  // 0 promptly.
  virtual void interrupt() = 0;
};

class ExecOutput
{
public:
  virtual ~ExecOutput() = default;
  // Writes all of `bytes`, blocking as long as the consumer needs. Throws
  // kpg::Error when writing fails (for example EPIPE).
  virtual void write(std::span<const char> bytes) = 0;
};

// Reads a file descriptor it does not own: a pipe, a terminal, a socket or a
// regular file. interrupt() wakes a blocked read through a private pipe.
class FdInput final : public ExecInput
{
public:
  // `name` is for error messages ("stdin").
  FdInput(int fd, std::string name);
  ~FdInput() override;
  FdInput(const FdInput&) = delete;
  FdInput& operator=(const FdInput&) = delete;

  std::size_t read(std::span<char> buffer) override;
  void interrupt() override;

private:
  int m_fd;
  std::string m_name;
  int m_wake_read = -1;
  int m_wake_write = -1;
  std::atomic<bool> m_interrupted{ false };
};

// Writes to a file descriptor it does not own, retrying short writes. The process
// must ignore SIGPIPE (cmd/main.cpp should) for a closed pipe to be an EPIPE error
// rather than death by signal.
class FdOutput final : public ExecOutput
{
public:
  FdOutput(int fd, std::string name);
  void write(std::span<const char> bytes) override;

private:
  int m_fd;
  std::string m_name;
};

// Reads an in-memory or file istream (SQL sent to psql, a test's input).
// interrupt() cannot wake a blocked istream; it only makes the next read return 0.
class IstreamInput final : public ExecInput
{
public:
  explicit IstreamInput(std::istream& in);
  std::size_t read(std::span<char> buffer) override;
  void interrupt() override;

private:
  std::istream& m_in;
  std::atomic<bool> m_interrupted{ false };
};

// Appends to an ostream (capturing a command's output in a std::ostringstream).
class OstreamOutput final : public ExecOutput
{
public:
  explicit OstreamOutput(std::ostream& out);
  void write(std::span<const char> bytes) override;

private:
  std::ostream& m_out;
};

} // namespace kpg::kube
