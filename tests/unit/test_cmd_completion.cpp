#include "cmd/commands.hpp"
#include "cmd/completion.hpp"
#include "core/clock.hpp"
#include "core/context.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

#include <sstream>

namespace {

struct Tree
{
  std::ostringstream out, err;
  std::istringstream in;
  kpg::SystemClock clock;
  kpg::Context ctx{.options = {}, .out = out, .err = err, .in = in, .getenv = {}, .clock = clock};
  CLI::App app{"test", "kubectl pg"};

  Tree()
  {
    app.fallthrough();
    kpg::cmd::add_global_flags(app, ctx);
    kpg::cmd::add_create_command(app, ctx);
    kpg::cmd::add_completion_command(app, ctx);
    kpg::cmd::add_version_command(app, ctx);
  }
};

} // namespace

TEST_CASE("complete_words")
{
  Tree tree;
  SUBCASE("subcommands, hidden ones left out")
  {
    CHECK(kpg::cmd::complete_words(tree.app, {""}) == "create\ncompletion\nversion\n:4\n");
    CHECK(kpg::cmd::complete_words(tree.app, {"c"}) == "create\ncompletion\n:4\n");
  }
  SUBCASE("flags of the command and the global ones")
  {
    CHECK(kpg::cmd::complete_words(tree.app, {"create", "--pgpool-m"}) ==
          "--pgpool-max-pool\n:4\n");
    CHECK(kpg::cmd::complete_words(tree.app, {"create", "--kubec"}) == "--kubeconfig\n:4\n");
  }
  SUBCASE("values a flag's validator allows; files for the others")
  {
    CHECK(kpg::cmd::complete_words(tree.app, {"create", "-o", ""}) == "yaml\njson\n:4\n");
    CHECK(kpg::cmd::complete_words(tree.app, {"create", "--service-type", "L"}) ==
          "LoadBalancer\n:4\n");
    CHECK(kpg::cmd::complete_words(tree.app, {"create", "-f", ""}) == ":0\n");
    CHECK(kpg::cmd::complete_words(tree.app, {"create", "--members=3", "--dry-run", "c"}) ==
          "client\n:4\n");
  }
  SUBCASE("the completion command prints scripts that call __complete")
  {
    tree.app.parse(std::vector<std::string>{"bash", "completion"});
    CHECK(tree.out.str().find("__complete") != std::string::npos);
    CHECK(tree.out.str().find("complete -F _kubectl_pg kubectl-pg") != std::string::npos);
  }
}
