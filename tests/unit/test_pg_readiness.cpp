#include "pg/readiness.hpp"
#include "pg/stuck_report.hpp"

#include <doctest/doctest.h>

using json = nlohmann::json;
using namespace kpg::pg;

namespace {

json pod(const std::string& name, const char* component, bool ready, const char* role = nullptr)
{
  json labels = { { "app.kubernetes.io/instance", "orders" },
                  { "app.kubernetes.io/component", component } };
  if (role != nullptr) {
    labels["spilo-role"] = role;
  }
  return {
    { "metadata", { { "name", name }, { "namespace", "shop" }, { "labels", labels } } },
    { "status",
      { { "phase", "Running" },
        { "conditions", { { { "type", "Ready" }, { "status", ready ? "True" : "False" } } } } } }
  };
}

const ReadinessGoal k_goal{ "shop", "orders", 3, 2 };

} // namespace

TEST_CASE("assess_pods")
{
  SUBCASE("counts ready members and pgpool pods, and the leader label")
  {
    const auto r = assess_pods(k_goal, { pod("orders-0", "database", true, "master"),
                                         pod("orders-1", "database", false, "replica"),
                                         pod("orders-pgpool-a", "pooler", true) });
    CHECK(r.text() ==
          "members ready 1/3, leader orders-0, replicas streaming ?/2, pgpool ready 1/2");
    CHECK_FALSE(r.pods_ready());
    CHECK(r.leader() == "orders-0");
  }

  SUBCASE("ready once every pod is Ready with one leader and every replica streams")
  {
    auto r = assess_pods(k_goal, { pod("orders-0", "database", true, "replica"),
                                   pod("orders-1", "database", true, "master"),
                                   pod("orders-2", "database", true, "replica"),
                                   pod("orders-pgpool-a", "pooler", true),
                                   pod("orders-pgpool-b", "pooler", true) });
    CHECK(r.pods_ready());
    CHECK_FALSE(r.complete());
    r.replicas_streaming = 2;
    CHECK(r.complete());
    CHECK(r.text() ==
          "members ready 3/3, leader orders-1, replicas streaming 2/2, pgpool ready 2/2");
  }

  SUBCASE("two leaders are not ready, and said")
  {
    const auto r = assess_pods(k_goal, { pod("orders-0", "database", true, "master"),
                                         pod("orders-1", "database", true, "master") });
    CHECK_FALSE(r.pods_ready());
    CHECK(r.text().find("2 leaders (orders-0, orders-1)") != std::string::npos);
    CHECK(r.leader().empty());
  }
}

TEST_CASE("format_stuck_report")
{
  auto stuck = pod("orders-0", "database", false);
  stuck["spec"]["containers"] = { { { "name", "postgres" } } };
  stuck["status"]["containerStatuses"] = {
    { { "name", "postgres" },
      { "ready", false },
      { "restartCount", 2 },
      { "state", { { "running", json::object() } } },
      { "lastState", { { "terminated", { { "reason", "Error" }, { "exitCode", 1 } } } } } }
  };
  StuckReport report;
  report.readiness = assess_pods(k_goal, { stuck });
  report.missing_members = { "orders-1", "orders-2" };
  PodEvidence evidence;
  evidence.pod = stuck;
  evidence.events = { { { "type", "Warning" },
                        { "reason", "Unhealthy" },
                        { "message", "Readiness probe failed: HTTP 503" } } };
  evidence.container = "postgres";
  evidence.log_tail = "FATAL: could not bind\nexiting\n";
  report.pods.push_back(evidence);
  CHECK(format_stuck_report(report) ==
        "member orders-1 does not exist yet: the StatefulSet creates members one at a time, "
        "each after the previous one is Ready\n"
        "member orders-2 does not exist yet: the StatefulSet creates members one at a time, "
        "each after the previous one is Ready\n"
        "pod shop/orders-0 is Running, not Ready: container postgres running (not ready: "
        "readiness probe failing), restarts 2, last terminated: Error (exit code 1)\n"
        "  events:\n"
        "    Warning Unhealthy: Readiness probe failed: HTTP 503\n"
        "  last log lines of container postgres:\n"
        "    FATAL: could not bind\n"
        "    exiting\n");
}
