// kubectl-pg entry point: builds the command tree, runs it, and maps every
// failure to a documented exit code (src/core/exit_code.hpp). This is the only
// place that catches kpg::Error.

#include "cmd/commands.hpp"
#include "cmd/help.hpp"
#include "cmd/completion.hpp"
#include "core/context.hpp"
#include "core/error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>
#include <unistd.h>

int main(int argc, char** argv)
{
  // A reader that closes our stdout (`kubectl pg connect demo | head -1`) makes
  // writes fail with EPIPE, reported as an error, instead of killing us silently.
  static_cast<void>(std::signal(SIGPIPE, SIG_IGN));
  kpg::SystemClock clock;
  kpg::Context ctx{
    .options = {},
    .out = std::cout,
    .err = std::cerr,
    .in = std::cin,
    .stdin_is_tty = isatty(STDIN_FILENO) == 1,
    .stdout_is_tty = isatty(STDOUT_FILENO) == 1,
    .stderr_is_tty = isatty(STDERR_FILENO) == 1,
    .getenv = kpg::process_environment(),
    .clock = clock,
  };

  CLI::App app{"kubectl pg: highly available PostgreSQL on Kubernetes, without an operator.\n\n"
               "Renders a PostgreSQL cluster whose primary Patroni elects, with pgpool-II in "
               "front, applies it with server-side apply, and operates it: status, list, "
               "connect, delete.",
               "kubectl pg"};
  app.formatter(std::make_shared<kpg::cmd::HelpFormatter>());
  app.require_subcommand(1);
  app.fallthrough(); // global flags may follow the subcommand, as with kubectl
  app.footer("Exit codes: 0 ok, 1 failure, 2 usage or validation error, 3 degraded, "
             "4 cluster unreachable, 5 aborted, 6 timed out, 130 interrupted.\n"
             "Use \"kubectl pg <command> --help\" for more information about a command.");
  kpg::cmd::add_global_flags(app, ctx);
  kpg::cmd::add_create_command(app, ctx);
  kpg::cmd::add_status_command(app, ctx);
  kpg::cmd::add_list_command(app, ctx);
  kpg::cmd::add_delete_command(app, ctx);
  kpg::cmd::add_connect_command(app, ctx);
  kpg::cmd::add_completion_command(app, ctx);
  kpg::cmd::add_version_command(app, ctx);

  // Shell completion: answered from the command tree before any parsing, so
  // half-typed command lines are not usage errors.
  if (argc > 1 && std::string(argv[1]) == kpg::cmd::k_complete_command) {
    std::cout << kpg::cmd::complete_words(app, std::vector<std::string>(argv + 2, argv + argc));
    return kpg::to_int(kpg::ExitCode::ok);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the problem; usage errors are exit code 2 (kubectl's too).
    app.exit(e, std::cout, std::cerr);
    return kpg::to_int(kpg::ExitCode::usage);
  } catch (const kpg::Error& e) {
    std::cerr << kpg::error_line(e);
    return kpg::to_int(e.code());
  } catch (const std::exception& e) {
    std::cerr << fmt::format("error: internal: {}\n", e.what());
    return kpg::to_int(kpg::ExitCode::failure);
  }
  if (!std::cout.flush()) {
    // errno is the failed write's when nothing failed since (the usual EPIPE).
    std::cerr << (errno == EPIPE ? "error: writing stdout: Broken pipe\n"
                                 : "error: writing stdout failed\n");
    return kpg::to_int(kpg::ExitCode::failure);
  }
  return kpg::to_int(ctx.exit_code);
}
