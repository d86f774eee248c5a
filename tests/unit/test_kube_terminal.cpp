#include "kube/terminal.hpp"

#include <doctest/doctest.h>

#include <array>
#include <fcntl.h>
#include <unistd.h>

TEST_CASE("terminal_size")
{
  std::array<int, 2> fds{};
  REQUIRE(::pipe2(fds.data(), O_CLOEXEC) == 0);
  CHECK_FALSE(kpg::kube::terminal_size(fds[0]));
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("RawTerminal::active")
{
  std::array<int, 2> fds{};
  REQUIRE(::pipe2(fds.data(), O_CLOEXEC) == 0);
  SUBCASE("a descriptor that is not a terminal is left alone")
  {
    const kpg::kube::RawTerminal first(fds[0]);
    CHECK_FALSE(first.active());
    const kpg::kube::RawTerminal second(fds[0]); // no slot taken, so no conflict
    CHECK_FALSE(second.active());
  }
  ::close(fds[0]);
  ::close(fds[1]);
}
