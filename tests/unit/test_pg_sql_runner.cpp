#include "pg/exec_sql_runner.hpp"
#include "pg/sql_runner.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <unistd.h>

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

TEST_CASE("ExecSqlRunner::run")
{
  kpg::kube::RestConfig config;
  kpg::pg::ExecSqlRunner runner(config);
  CHECK_FALSE(runner.unavailable_reason().has_value());
  const auto command = kpg::pg::member_sql("db", "orders-0", "SELECT 1");

  SUBCASE("an exec that cannot connect is a failure naming the pod, not a throw")
  {
    config.server = "https://127.0.0.1:1"; // nothing listens on port 1
    const auto fetched = runner.run(command);
    REQUIRE_FALSE(fetched.has_value());
    CHECK(fetched.error().starts_with("running psql in pod db/orders-0 (container postgres): "));
  }
  SUBCASE("a server that never answers is cancelled at the limit")
  {
    // A listening socket nobody accepts on: the TCP handshake completes (the
    // kernel's backlog), the TLS handshake never does, as with a frozen pod.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), length) == 0);
    REQUIRE(::listen(listener, 4) == 0);
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    config.server = "https://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
    kpg::pg::ExecSqlRunner limited(config, std::chrono::milliseconds(200));
    const auto fetched = limited.run(command);
    ::close(listener);
    REQUIRE_FALSE(fetched.has_value());
    CHECK(fetched.error() ==
          "running psql in pod db/orders-0 (container postgres): no answer within 0.2s");
  }
  SUBCASE("so is a server URL exec cannot use")
  {
    config.server = "ftp://x";
    const auto fetched = runner.run(command);
    REQUIRE_FALSE(fetched.has_value());
    CHECK(fetched.error() == "running psql in pod db/orders-0 (container postgres): server URL "
                             "\"ftp://x\": scheme must be https or http");
  }
}

TEST_CASE("psql_error_line")
{
  CHECK(kpg::pg::psql_error_line("psql: error: connection to server failed\n"
                                 "\tIs the server running?\n") ==
        "psql: error: connection to server failed");
  CHECK(kpg::pg::psql_error_line("\nERROR:  relation \"x\" does not exist\r\nLINE 1: ...\n") ==
        "ERROR:  relation \"x\" does not exist");
  CHECK(kpg::pg::psql_error_line("one line") == "one line");
  CHECK(kpg::pg::psql_error_line("\n") == "no error output");
  CHECK(kpg::pg::psql_error_line("") == "no error output");
}
