#include "pg/sql_runner.hpp"

#include <doctest/doctest.h>

using Argv = std::vector<std::string>;

TEST_CASE("member_sql")
{
  const auto command = kpg::pg::member_sql("db", "orders-0", "SELECT 1");
  CHECK(command.namespace_name == "db");
  CHECK(command.pod == "orders-0");
  CHECK(command.container == "postgres");
  CHECK(command.argv == Argv{ "psql", "-X", "-A", "-F", "|", "-U", "postgres", "-d", "postgres",
                              "-c", "SELECT 1" });
}

TEST_CASE("pgpool_sql")
{
  // The query is an argument of the script ("$1"), never spliced into it, and
  // the password comes from the container's environment.
  const auto command = kpg::pg::pgpool_sql("db", "orders-pgpool-x", "SHOW pool_nodes; '$(x)'");
  CHECK(command.container == "pgpool");
  CHECK(command.argv ==
        Argv{ "sh", "-c",
              "PGPASSWORD=\"$POSTGRES_PASSWORD\" exec psql -X -A -F \"|\" -h 127.0.0.1 -p 9999 "
              "-U \"$POSTGRES_USERNAME\" -d postgres -c \"$1\"",
              "sh", "SHOW pool_nodes; '$(x)'" });
}
