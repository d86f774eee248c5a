#include "cmd/connect.hpp"
#include "core/error.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

using kpg::cmd::ConnectOptions;
using kpg::pg::ConnectTarget;

namespace {

// Parses `args` (after "connect") as the connect subcommand does.
ConnectOptions parsed(std::vector<std::string> args)
{
  CLI::App app{ "test", "kubectl pg" };
  ConnectOptions options;
  auto* sub = app.add_subcommand("connect");
  kpg::cmd::add_connect_flags(*sub, options);
  args.insert(args.begin(), "connect");
  std::reverse(args.begin(), args.end()); // CLI11 takes the arguments reversed
  app.parse(args);
  return options;
}

} // namespace

TEST_CASE("add_connect_flags")
{
  SUBCASE("the pooler is the default")
  {
    const auto request = kpg::cmd::validate(parsed({ "orders" }));
    CHECK(request.cluster == "orders");
    CHECK(request.target == ConnectTarget::pooler);
    CHECK(request.psql_args.empty());
  }
  SUBCASE("--primary, --replica, -d, -U, and psql's own flags after --")
  {
    const auto request = kpg::cmd::validate(
      parsed({ "orders", "--replica", "-d", "shop", "-U", "app", "--", "-At", "-c", "select 1" }));
    CHECK(request.target == ConnectTarget::replica);
    CHECK(request.database == "shop");
    CHECK(request.user == "app");
    CHECK(request.psql_args == std::vector<std::string>{ "-At", "-c", "select 1" });
    CHECK(kpg::cmd::validate(parsed({ "--primary", "orders" })).target == ConnectTarget::primary);
  }
  SUBCASE("the targets exclude each other")
  {
    CHECK_THROWS_AS(parsed({ "orders", "--primary", "--replica" }), CLI::ExcludesError);
    CHECK_THROWS_AS(parsed({ "orders", "--pooler", "--primary" }), CLI::ExcludesError);
  }
  SUBCASE("psql's flags before -- are not ours: a usage error")
  {
    CHECK_THROWS_AS(parsed({ "orders", "-c", "select 1" }), CLI::ParseError);
  }
  SUBCASE("NAME is required")
  {
    CHECK_THROWS_AS(parsed({ "--primary" }), CLI::RequiredError);
  }
}

TEST_CASE("validate(ConnectOptions)")
{
  ConnectOptions options;
  options.cluster = "Orders";
  CHECK_THROWS_WITH_AS(kpg::cmd::validate(options),
                       "invalid cluster name \"Orders\": a cluster name is an RFC 1035 label (at "
                       "most 63 lower-case letters, digits and '-', starting with a letter), as "
                       "create requires",
                       kpg::UsageError);
  options.cluster = "-c";
  CHECK_THROWS_AS(kpg::cmd::validate(options), kpg::UsageError);
}
