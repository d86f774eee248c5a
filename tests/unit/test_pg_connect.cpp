#include "cluster_scenario.hpp"
#include "kube/resource_client.hpp"
#include "kube_fakes.hpp"
#include "pg/connect.hpp"

#include <doctest/doctest.h>

using kpg::pg::ConnectRequest;
using kpg::pg::ConnectTarget;
using kpg::test::member_pod;
using kpg::test::pod;

namespace {

ConnectRequest request_for(ConnectTarget target)
{
  ConnectRequest request;
  request.cluster = "orders";
  request.target = target;
  return request;
}

std::string chosen(const std::vector<nlohmann::json>& pods, ConnectTarget target)
{
  const auto result = kpg::pg::choose_pod(pods, request_for(target), "db");
  REQUIRE_MESSAGE(result, (result ? "" : result.error()));
  return *result;
}

std::string refusal(const std::vector<nlohmann::json>& pods, ConnectTarget target)
{
  const auto result = kpg::pg::choose_pod(pods, request_for(target), "db");
  REQUIRE_FALSE(result);
  return result.error();
}

nlohmann::json terminating(nlohmann::json pod)
{
  pod["metadata"]["deletionTimestamp"] = "2026-11-21T16:50:00Z";
  return pod;
}

} // namespace

TEST_CASE("member_pod_selector")
{
  CHECK(kpg::pg::member_pod_selector("orders") ==
        "app.kubernetes.io/instance=orders,app.kubernetes.io/component=database");
}

TEST_CASE("choose_pod")
{
  // Listed out of ordinal order, as the API may list them.
  const auto leader = pod(member_pod("orders-1", "10.0.0.2", "n2", "master"));
  const auto replica_10 = pod(member_pod("orders-10", "10.0.0.11", "n1", "replica"));
  const auto replica_2 = pod(member_pod("orders-2", "10.0.0.3", "n3", "replica"));
  const std::vector<nlohmann::json> healthy{ replica_10, leader, replica_2 };

  SUBCASE("primary: the pod labelled leader, with Patroni 3's value or Patroni 4's")
  {
    CHECK(chosen(healthy, ConnectTarget::primary) == "orders-1");
    const auto primary = pod(member_pod("orders-0", "10.0.0.1", "n1", "primary"));
    CHECK(chosen({ replica_2, primary }, ConnectTarget::primary) == "orders-0");
  }
  SUBCASE("primary: a leader that is not ready yet is still the leader")
  {
    auto spec = member_pod("orders-1", "10.0.0.2", "n2", "master");
    spec.ready = false;
    CHECK(chosen({ replica_2, pod(spec) }, ConnectTarget::primary) == "orders-1");
  }
  SUBCASE("replica: the lowest ordinal among ready replicas, never the leader")
  {
    CHECK(chosen(healthy, ConnectTarget::replica) == "orders-2");
  }
  SUBCASE("replica: a ready replica before one that is not ready")
  {
    auto spec = member_pod("orders-2", "10.0.0.3", "n3", "replica");
    spec.ready = false;
    CHECK(chosen({ leader, pod(spec), replica_10 }, ConnectTarget::replica) == "orders-10");
    CHECK(chosen({ leader, pod(spec) }, ConnectTarget::replica) == "orders-2");
  }
  SUBCASE("pooler: a ready replica first, else the ready leader")
  {
    CHECK(chosen(healthy, ConnectTarget::pooler) == "orders-2");
    CHECK(chosen({ leader }, ConnectTarget::pooler) == "orders-1");
  }
  SUBCASE("terminating pods are never chosen")
  {
    CHECK(chosen({ terminating(replica_2), leader, replica_10 }, ConnectTarget::replica) ==
          "orders-10");
    CHECK(refusal({ terminating(leader), replica_2 }, ConnectTarget::primary) ==
          "cluster db/orders has no leader to connect to (members: orders-1 leader, terminating; "
          "orders-2 replica, ready); Patroni labels the leader spilo-role=master once it holds "
          "the leader lock, or see \"kubectl pg status orders -n db\"");
  }
  SUBCASE("no replica: the members are listed and --primary suggested")
  {
    auto starting = member_pod("orders-0", "", "n1", "");
    starting.ready = false;
    starting.waiting_reason = "CrashLoopBackOff";
    CHECK(refusal({ leader, pod(starting) }, ConnectTarget::replica) ==
          "cluster db/orders has no replica to connect to (members: orders-0 no role yet, not "
          "ready (CrashLoopBackOff); orders-1 leader, ready); connect to the primary with "
          "--primary, or see \"kubectl pg status orders -n db\"");
  }
  SUBCASE("pooler: no ready member")
  {
    auto spec = member_pod("orders-0", "10.0.0.1", "n1", "master");
    spec.ready = false;
    CHECK(refusal({ pod(spec) }, ConnectTarget::pooler) ==
          "cluster db/orders has no ready member pod to connect to (members: orders-0 leader, "
          "not ready (Running)); psql runs in a member pod to reach pgpool, or see \"kubectl pg "
          "status orders -n db\"");
  }
  SUBCASE("no member pods at all: a wrong name or namespace")
  {
    CHECK(refusal({}, ConnectTarget::primary) ==
          "cluster db/orders has no member pods (none matches "
          "app.kubernetes.io/instance=orders,app.kubernetes.io/component=database); check the "
          "name and namespace with \"kubectl pg list -A\"");
  }
}

TEST_CASE("find_psql_pod")
{
  kpg::test::FakeClock clock;
  kpg::test::FakeTransport transport;
  kpg::kube::RestConfig config;
  config.server = "https://10.0.0.1:6443";
  kpg::kube::RestClient rest(config, transport, clock);
  const auto request = request_for(ConnectTarget::replica);

  SUBCASE("lists the member pods by label and chooses among them")
  {
    const nlohmann::json list = {
      { "kind", "PodList" },
      { "items",
        { pod(member_pod("orders-0", "10.0.0.1", "n1", "master")),
          pod(member_pod("orders-1", "10.0.0.2", "n2", "replica")) } }
    };
    transport.replies.push_back(kpg::test::reply(200, list.dump()));
    CHECK(kpg::pg::find_psql_pod(rest, "db", request) == "orders-1");
    REQUIRE(transport.sent.size() == 1);
    CHECK(transport.sent[0].method == "GET");
    CHECK(transport.sent[0].path ==
          "/api/v1/namespaces/db/pods?labelSelector=app.kubernetes.io%2Finstance%3Dorders%2Capp."
          "kubernetes.io%2Fcomponent%3Ddatabase");
  }
  SUBCASE("a refused list is an API error as kubectl prints it, saying what was attempted")
  {
    transport.replies.push_back(kpg::test::reply(
      403,
      R"({"kind":"Status","status":"Failure","reason":"Forbidden","code":403,)"
      R"("message":"pods is forbidden: User \"dev\" cannot list resource \"pods\" in API group \"\" in the namespace \"db\""})"));
    try {
      kpg::pg::find_psql_pod(rest, "db", request);
      FAIL("no error");
    } catch (const kpg::Error& error) {
      CHECK(std::string(error.what()) ==
            "Error from server (Forbidden): while listing the member pods of cluster db/orders: "
            "pods is forbidden: User \"dev\" cannot list resource \"pods\" in API group \"\" in "
            "the namespace \"db\"");
      CHECK(error.format() == kpg::MessageFormat::kubectl);
      CHECK(error.code() == kpg::ExitCode::unreachable);
    }
  }
  SUBCASE("no suitable pod: exit code 1")
  {
    transport.replies.push_back(kpg::test::reply(200, R"({"kind":"PodList","items":[]})"));
    CHECK_THROWS_WITH_AS(kpg::pg::find_psql_pod(rest, "db", request),
                         doctest::Contains("cluster db/orders has no member pods"), kpg::Error);
  }
}

TEST_CASE("psql_command")
{
  const std::string script =
    "superuser=${PGUSER_SUPERUSER:-postgres}; user=${1:-$superuser}; shift; "
    "if [ \"$user\" = \"$superuser\" ]; then export PGPASSWORD=\"${PGPASSWORD_SUPERUSER:-}\"; "
    "fi; exec psql -U \"$user\" \"$@\"";
  SUBCASE("on a member: the local socket, the superuser by default")
  {
    CHECK(kpg::pg::psql_command(request_for(ConnectTarget::primary)) ==
          std::vector<std::string>{ "sh", "-c", script, "psql", "" });
  }
  SUBCASE("through the pooler: -h the pgpool Service")
  {
    CHECK(kpg::pg::psql_command(request_for(ConnectTarget::pooler)) ==
          std::vector<std::string>{ "sh", "-c", script, "psql", "", "-h", "orders-pgpool" });
  }
  SUBCASE("user, database and psql's arguments each travel as one argument, never in the "
          "script")
  {
    auto request = request_for(ConnectTarget::replica);
    request.user = "app; rm -rf /";
    request.database = "shop $(id)";
    request.psql_args = { "-c", "select '\"x\"'", "-At" };
    CHECK(kpg::pg::psql_command(request) ==
          std::vector<std::string>{ "sh", "-c", script, "psql", "app; rm -rf /", "-d", "shop $(id)",
                                    "-c", "select '\"x\"'", "-At" });
  }
}
