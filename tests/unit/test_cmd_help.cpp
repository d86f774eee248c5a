#include "cmd/help.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

TEST_CASE("HelpFormatter::make_subcommand")
{
  CLI::App app{"root", "kubectl pg"};
  app.formatter(std::make_shared<kpg::cmd::HelpFormatter>());
  auto* sub = app.add_subcommand("status", "Show the health of a cluster");
  kpg::cmd::set_long_description(*sub, "Reads Patroni's REST API.\n\nProblems come last.");

  SUBCASE("the root help lists the summary alone")
  {
    const std::string help = app.help();
    CHECK(help.find("  status                      Show the health of a cluster\n") !=
          std::string::npos);
    CHECK(help.find("Patroni") == std::string::npos);
  }
  SUBCASE("the command's own help shows the summary, then the long description")
  {
    CHECK(sub->get_description() ==
          "Show the health of a cluster\n\nReads Patroni's REST API.\n\nProblems come last.");
    CHECK(sub->help().find("Reads Patroni's REST API.\n\nProblems come last.") !=
          std::string::npos);
  }
}
