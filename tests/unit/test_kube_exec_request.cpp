#include "kube/exec_request.hpp"

#include <doctest/doctest.h>

using kpg::kube::ServerEndpoint;

TEST_CASE("parse_server_url")
{
  SUBCASE("host and port")
  {
    const auto endpoint = kpg::kube::parse_server_url("https://127.0.0.1:6443");
    REQUIRE(endpoint);
    CHECK(endpoint->scheme == ServerEndpoint::Scheme::https);
    CHECK(endpoint->host == "127.0.0.1");
    CHECK(endpoint->port == "6443");
    CHECK(endpoint->host_header == "127.0.0.1:6443");
    CHECK(endpoint->base_path == "");
  }
  SUBCASE("default port and a path prefix")
  {
    const auto endpoint = kpg::kube::parse_server_url("https://rancher.example/k8s/clusters/c-1/");
    REQUIRE(endpoint);
    CHECK(endpoint->port == "443");
    CHECK(endpoint->host_header == "rancher.example");
    CHECK(endpoint->base_path == "/k8s/clusters/c-1");
  }
  SUBCASE("IPv6")
  {
    const auto endpoint = kpg::kube::parse_server_url("https://[::1]:8443");
    REQUIRE(endpoint);
    CHECK(endpoint->host == "::1");
    CHECK(endpoint->host_header == "[::1]:8443");
  }
  SUBCASE("plain http for tests")
  {
    const auto endpoint = kpg::kube::parse_server_url("http://localhost");
    REQUIRE(endpoint);
    CHECK(endpoint->scheme == ServerEndpoint::Scheme::http);
    CHECK(endpoint->port == "80");
  }
  SUBCASE("another scheme")
  {
    const auto endpoint = kpg::kube::parse_server_url("ftp://x");
    REQUIRE_FALSE(endpoint);
    CHECK(endpoint.error() == "server URL \"ftp://x\": scheme must be https or http");
  }
  SUBCASE("not a URL")
  {
    const auto endpoint = kpg::kube::parse_server_url("https://");
    REQUIRE_FALSE(endpoint);
    CHECK(endpoint.error() == "server URL \"https://\" is not a valid URL");
  }
}

TEST_CASE("exec_target")
{
  const auto server = kpg::kube::parse_server_url("https://h:6443");
  REQUIRE(server);
  kpg::kube::ExecRequest request;
  request.namespace_name = "db";
  request.pod = "pg-0";
  request.container = "postgres";
  request.command = { "patronictl", "list" };

  SUBCASE("all three streams, no terminal")
  {
    CHECK(kpg::kube::exec_target(*server, request, { true, true, true }) ==
          "/api/v1/namespaces/db/pods/pg-0/exec?command=patronictl&command=list"
          "&container=postgres&stderr=true&stdin=true&stdout=true");
  }
  SUBCASE("a terminal drops stderr")
  {
    request.tty = kpg::kube::TtyMode::enabled;
    CHECK(kpg::kube::exec_target(*server, request, { true, true, true }) ==
          "/api/v1/namespaces/db/pods/pg-0/exec?command=patronictl&command=list"
          "&container=postgres&stdin=true&stdout=true&tty=true");
  }
  SUBCASE("arguments are URL-encoded, no container")
  {
    request.container.clear();
    request.command = { "sh", "-c", "echo a&b=c; exit 3" };
    CHECK(kpg::kube::exec_target(*server, request, { false, true, false }) ==
          "/api/v1/namespaces/db/pods/pg-0/exec?command=sh&command=-c"
          "&command=echo+a%26b%3dc%3b+exit+3&stdout=true");
  }
  SUBCASE("behind a path prefix")
  {
    const auto prefixed = kpg::kube::parse_server_url("https://h/k8s/clusters/c-1");
    REQUIRE(prefixed);
    request.command = { "true" };
    CHECK(kpg::kube::exec_target(*prefixed, request, { false, true, false }) ==
          "/k8s/clusters/c-1/api/v1/namespaces/db/pods/pg-0/exec?command=true"
          "&container=postgres&stdout=true");
  }
}
