#include "core/error.hpp"
#include "fake_clock.hpp"
#include "ui/prompt.hpp"

#include <doctest/doctest.h>

#include <sstream>

using kpg::ui::Confirmation;

namespace {

struct Terminal
{
  explicit Terminal(std::string input, bool tty)
    : in(std::move(input))
  {
    ctx.stdin_is_tty = tty;
  }
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in;
  kpg::test::FakeClock clock{ kpg::test::fixture_time() };
  kpg::Context ctx{ .options = {},
                    .out = out,
                    .err = err,
                    .in = in,
                    .stdin_is_tty = false,
                    .stdout_is_tty = false,
                    .stderr_is_tty = false,
                    .getenv = [](const std::string&) { return std::optional<std::string>(); },
                    .clock = clock };
};

constexpr const char* k_action = "delete 3 PVCs of cluster db/orders and the data on them";

// Runs confirm() and returns the exit code of the error it threw, or ok.
kpg::ExitCode run(Terminal& terminal, Confirmation confirmation, std::string* message = nullptr)
{
  try {
    kpg::ui::confirm(terminal.ctx, k_action, confirmation);
    return kpg::ExitCode::ok;
  } catch (const kpg::Error& e) {
    if (message != nullptr) {
      *message = e.what();
    }
    return e.code();
  }
}

} // namespace

TEST_CASE("confirm")
{
  SUBCASE("--yes skips the question, even without a terminal")
  {
    Terminal terminal("", false);
    CHECK(run(terminal, Confirmation::assume_yes) == kpg::ExitCode::ok);
    CHECK(terminal.err.str().empty());
  }
  SUBCASE("no terminal and no --yes: refused, nothing read")
  {
    Terminal terminal("y\n", false);
    std::string message;
    CHECK(run(terminal, Confirmation::ask, &message) == kpg::ExitCode::aborted);
    CHECK(message == "will not delete 3 PVCs of cluster db/orders and the data on them without "
                     "confirmation: stdin is not a terminal; pass --yes to confirm");
    CHECK(terminal.err.str().empty());
    CHECK(terminal.in.tellg() == 0);
  }
  SUBCASE("terminal: y and yes proceed")
  {
    for (const char* answer : { "y\n", "Y\n", " yes \n", "YES" }) {
      CAPTURE(answer);
      Terminal terminal(answer, true);
      CHECK(run(terminal, Confirmation::ask) == kpg::ExitCode::ok);
      CHECK(terminal.err.str() ==
            "About to delete 3 PVCs of cluster db/orders and the data on them. Continue? "
            "[y/N] ");
    }
  }
  SUBCASE("terminal: anything else declines with a non-zero exit code")
  {
    for (const char* answer : { "\n", "n\n", "no\n", "yep\n" }) {
      CAPTURE(answer);
      Terminal terminal(answer, true);
      std::string message;
      CHECK(run(terminal, Confirmation::ask, &message) == kpg::ExitCode::aborted);
      CHECK(message == "aborted: did not delete 3 PVCs of cluster db/orders and the data on them");
    }
  }
  SUBCASE("terminal: end of input declines and ends the prompt line")
  {
    Terminal terminal("", true);
    CHECK(run(terminal, Confirmation::ask) == kpg::ExitCode::aborted);
    CHECK(terminal.err.str() ==
          "About to delete 3 PVCs of cluster db/orders and the data on them. Continue? "
          "[y/N] \n");
  }
}
