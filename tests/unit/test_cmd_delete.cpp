#include "cmd/delete.hpp"
#include "cmd_fakes.hpp"
#include "core/error.hpp"
#include "pg/cluster_delete.hpp"

#include <doctest/doctest.h>

// Designated initializers leave the other flags at their defaults on purpose;
// GCC 12's -Wextra warns about every field left out.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using kpg::ExitCode;
using kpg::cmd::ClusterDeleteOptions;
using kpg::cmd::DataPolicy;
using kpg::cmd::validate_delete_options;
using kpg::test::list_reply;
using kpg::test::reply;
using nlohmann::json;

namespace {

json named(const std::string& name)
{
  return { { "metadata", { { "name", name }, { "namespace", "db" } } } };
}

std::string usage_error(const ClusterDeleteOptions& options)
{
  return kpg::test::usage_error_of(validate_delete_options, options);
}

struct DeleteFixture : kpg::test::CommandFixture
{
  // The answers to plan_delete's LISTs: one per kind of k_deletion_order,
  // the PVCs, then the ConfigMaps labelled as the members.
  void queue_plan(std::map<std::string, std::vector<json>> by_kind, std::vector<json> claims = {},
                  std::vector<json> patroni_config_maps = {})
  {
    for (const auto& kind : kpg::pg::k_deletion_order) {
      transport.replies.push_back(list_reply(by_kind[std::string(kind.kind)]));
    }
    transport.replies.push_back(list_reply(claims));
    transport.replies.push_back(list_reply(patroni_config_maps));
  }

  void queue_cluster()
  {
    queue_plan({ { "StatefulSet", { named("orders") } },
                 { "Deployment", { named("orders-pgpool") } },
                 { "Service", { named("orders-primary"), named("orders-replica") } },
                 { "ConfigMap", { named("orders-pgpool") } },
                 { "ServiceAccount", { named("orders-patroni") } } },
               { named("pgdata-orders-1"), named("pgdata-orders-0") },
               { named("orders-config"), named("orders-pgpool") });
  }

  std::vector<std::string> deletes() const
  {
    std::vector<std::string> result;
    for (const auto& request : transport.sent) {
      if (request.method == "DELETE") {
        result.push_back(request.path + " " + request.body);
      }
    }
    return result;
  }

  void run(const ClusterDeleteOptions& options)
  {
    kpg::cmd::run_delete("orders", validate_delete_options(options), client, "db", ctx);
  }
};

const std::string k_background =
  R"({"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Background"})";

} // namespace

TEST_CASE("validate_delete_options")
{
  const auto settings = validate_delete_options({ .name = "orders" });
  CHECK(settings.wait == kpg::cmd::WaitPolicy::wait);
  CHECK(settings.timeout == std::chrono::minutes(5));
  CHECK(settings.data == DataPolicy::keep);
  CHECK(settings.confirmation == kpg::ui::Confirmation::ask);
  CHECK(validate_delete_options({ .name = "orders", .timeout = "0", .yes = true }).confirmation ==
        kpg::ui::Confirmation::assume_yes);
  CHECK(usage_error({ .name = "x", .delete_namespace = true }) ==
        "--delete-namespace needs --delete-data: deleting the Namespace deletes the "
        "PersistentVolumeClaims in it");
  CHECK(usage_error({ .name = "x", .timeout = "5 minutes" }) ==
        "invalid --timeout \"5 minutes\": write 0, whole seconds, or a duration such as 500ms, "
        "30s, 2m or 1m30s");
}

TEST_CASE("run_delete")
{
  DeleteFixture f;

  SUBCASE("no terminal and no --yes: refused, exit code 5, nothing deleted")
  {
    f.queue_cluster();
    try {
      f.run({ .name = "orders" });
      FAIL("no error");
    } catch (const kpg::Error& e) {
      CHECK(e.code() == ExitCode::aborted);
      CHECK(std::string(e.what()) ==
            "will not delete cluster db/orders: 1 Deployment, 1 StatefulSet, 2 Services, 1 "
            "ConfigMap, 1 ServiceAccount (keeping 2 PersistentVolumeClaims (pgdata-orders-0, "
            "pgdata-orders-1) and 1 Patroni ConfigMap (orders-config)) without confirmation: "
            "stdin is not a terminal; pass --yes to confirm");
    }
    CHECK(f.deletes().empty());
  }

  SUBCASE("declined on a terminal: exit code 5, nothing deleted")
  {
    f.queue_cluster();
    f.ctx.stdin_is_tty = true;
    f.in.str("n\n");
    CHECK_THROWS_AS(f.run({ .name = "orders", .delete_data = true }), kpg::Error);
    CHECK(f.err.str().starts_with("About to delete cluster db/orders and its data: "));
    CHECK(f.deletes().empty());
  }

  SUBCASE("--yes --wait=false: workloads, then the rest, in order; the data is kept")
  {
    f.queue_cluster();
    for (int i = 0; i < 6; ++i) {
      f.transport.replies.push_back(reply(200, "{}"));
    }
    f.run({ .name = "orders", .wait = false, .yes = true });
    CHECK(f.deletes() ==
          std::vector<std::string>{
            "/apis/apps/v1/namespaces/db/deployments/orders-pgpool " + k_background,
            "/apis/apps/v1/namespaces/db/statefulsets/orders " + k_background,
            "/api/v1/namespaces/db/services/orders-primary " + k_background,
            "/api/v1/namespaces/db/services/orders-replica " + k_background,
            "/api/v1/namespaces/db/configmaps/orders-pgpool " + k_background,
            "/api/v1/namespaces/db/serviceaccounts/orders-patroni " + k_background });
    CHECK(f.out.str() == "deployments.apps \"orders-pgpool\" deleted\n"
                         "statefulsets.apps \"orders\" deleted\n"
                         "services \"orders-primary\" deleted\n"
                         "services \"orders-replica\" deleted\n"
                         "configmaps \"orders-pgpool\" deleted\n"
                         "serviceaccounts \"orders-patroni\" deleted\n");
    CHECK(f.err.str() == "kept 2 PersistentVolumeClaims (pgdata-orders-0, pgdata-orders-1) and 1 "
                         "Patroni ConfigMap (orders-config); delete them with --delete-data\n");
  }

  SUBCASE("an object already gone is no error (a half-deleted cluster)")
  {
    f.queue_plan({ { "Secret", { named("orders-superuser"), named("orders-pgpool") } } });
    f.transport.replies.push_back(reply(
      404,
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404})",
      { { "Content-Type", "application/json" } }));
    f.transport.replies.push_back(reply(200, "{}"));
    f.run({ .name = "orders", .wait = false, .yes = true });
    CHECK(f.deletes().size() == 2);
    CHECK(f.err.str().empty());
  }

  SUBCASE("only the data is left and --delete-data is not given: nothing to do")
  {
    f.queue_plan({}, { named("pgdata-orders-0") });
    f.run({ .name = "orders" });
    CHECK(f.deletes().empty());
    CHECK(f.err.str() == "cluster db/orders has nothing left to delete but its data: 1 "
                         "PersistentVolumeClaim (pgdata-orders-0); delete them with "
                         "--delete-data\n");
  }

  SUBCASE("no such cluster: exit code 1")
  {
    f.queue_plan({});
    try {
      f.run({ .name = "orders", .yes = true });
      FAIL("no error");
    } catch (const kpg::Error& e) {
      CHECK(e.code() == ExitCode::failure);
      CHECK(std::string(e.what()) ==
            "cluster \"orders\" not found in namespace \"db\": nothing is labelled "
            "app.kubernetes.io/instance=orders,app.kubernetes.io/managed-by=kubectl-pg or "
            "app.kubernetes.io/name=postgresql,app.kubernetes.io/instance=orders. `kubectl pg "
            "list -A` lists the clusters kubectl-pg manages");
    }
  }

  SUBCASE("--delete-namespace on a namespace create did not make: exit code 2, nothing deleted")
  {
    f.queue_cluster();
    f.transport.replies.push_back(reply(200, named("db").dump()));
    try {
      f.run({ .name = "orders", .delete_data = true, .delete_namespace = true, .yes = true });
      FAIL("no error");
    } catch (const kpg::UsageError& e) {
      CHECK(std::string(e.what()).starts_with("--delete-namespace: namespace db was not created "
                                              "by kubectl-pg for cluster orders"));
    }
    CHECK(f.deletes().empty());
  }
}

TEST_CASE("count_by_kind")
{
  const auto type = [](const char* api_version, const char* kind) {
    return kpg::kube::builtin_resource(api_version, kind);
  };
  CHECK(kpg::pg::count_by_kind({ { type("networking.k8s.io/v1", "NetworkPolicy"), "a" },
                                 { type("policy/v1", "PodDisruptionBudget"), "a" },
                                 { type("policy/v1", "PodDisruptionBudget"), "b" } }) ==
        "1 NetworkPolicy, 2 PodDisruptionBudgets");
  CHECK(kpg::pg::count_by_kind({}).empty());
}
