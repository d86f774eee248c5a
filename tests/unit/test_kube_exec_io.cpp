#include "core/error.hpp"
#include "kube/exec_io.hpp"

#include <doctest/doctest.h>

#include <array>
#include <fcntl.h>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>

namespace {

// Both ends of a pipe, closed on destruction.
struct Pipe
{
  Pipe()
  {
    REQUIRE(::pipe2(fds.data(), O_CLOEXEC) == 0);
  }
  ~Pipe()
  {
    close_write();
    ::close(fds[0]);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void close_write()
  {
    if (fds[1] >= 0) {
      ::close(fds[1]);
      fds[1] = -1;
    }
  }
  std::array<int, 2> fds{};
};

} // namespace

TEST_CASE("FdInput::read")
{
  Pipe pipe;
  kpg::kube::FdInput input(pipe.fds[0], "stdin");
  std::array<char, 16> buffer{};

  SUBCASE("returns what is available, then 0 at end of input")
  {
    REQUIRE(::write(pipe.fds[1], "abc", 3) == 3);
    CHECK(input.read(buffer) == 3);
    CHECK(std::string(buffer.data(), 3) == "abc");
    pipe.close_write();
    CHECK(input.read(buffer) == 0);
  }
  SUBCASE("interrupt() wakes a blocked read, which returns 0")
  {
    std::size_t count = 99;
    std::thread reader([&] { count = input.read(buffer); });
    input.interrupt();
    reader.join();
    CHECK(count == 0);
    CHECK(input.read(buffer) == 0);
  }
}

TEST_CASE("FdOutput::write")
{
  Pipe pipe;
  kpg::kube::FdOutput output(pipe.fds[1], "stdout");
  SUBCASE("writes every byte")
  {
    output.write(std::string_view("hello"));
    std::array<char, 8> buffer{};
    CHECK(::read(pipe.fds[0], buffer.data(), buffer.size()) == 5);
    CHECK(std::string(buffer.data(), 5) == "hello");
  }
  SUBCASE("a closed descriptor is an error naming the stream")
  {
    kpg::kube::FdOutput closed(-1, "stdout");
    CHECK_THROWS_WITH_AS(closed.write(std::string_view("x")), "writing stdout: Bad file descriptor",
                         kpg::Error);
  }
}

TEST_CASE("IstreamInput::read")
{
  std::istringstream in("0123456789");
  kpg::kube::IstreamInput input(in);
  std::array<char, 4> buffer{};
  CHECK(input.read(buffer) == 4);
  CHECK(std::string(buffer.data(), 4) == "0123");
  CHECK(input.read(buffer) == 4);
  CHECK(input.read(buffer) == 2);
  CHECK(std::string(buffer.data(), 2) == "89");
  CHECK(input.read(buffer) == 0);

  SUBCASE("after interrupt() reads return 0")
  {
    std::istringstream more("abc");
    kpg::kube::IstreamInput interrupted(more);
    interrupted.interrupt();
    CHECK(interrupted.read(buffer) == 0);
  }
}

TEST_CASE("OstreamOutput::write")
{
  std::ostringstream out;
  kpg::kube::OstreamOutput output(out);
  output.write(std::string_view("a\0b", 3));
  CHECK(out.str() == std::string("a\0b", 3));
}
