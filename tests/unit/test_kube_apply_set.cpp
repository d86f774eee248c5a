#include "kube/apply_set.hpp"
#include "kube_fakes.hpp"

#include <doctest/doctest.h>

using kpg::kube::ApplyAction;
using kpg::test::reply;
using json = nlohmann::json;

namespace {

json object(const char* api_version, const char* kind, const char* name)
{
  return { { "apiVersion", api_version },
           { "kind", kind },
           { "metadata", { { "name", name }, { "namespace", "shop" } } } };
}

std::vector<std::string> refs(const std::vector<json>& objects)
{
  std::vector<std::string> out;
  for (const auto& o : objects) {
    out.push_back(*kpg::kube::object_ref(o));
  }
  return out;
}

} // namespace

TEST_CASE("in_apply_order")
{
  const std::vector<json> rendered = {
    object("v1", "ServiceAccount", "a"),
    object("apps/v1", "StatefulSet", "orders"),
    object("v1", "Secret", "s1"),
    object("v1", "Namespace", "shop"),
    object("networking.k8s.io/v1", "NetworkPolicy", "orders"),
    object("v1", "Secret", "s2"),
    object("apps/v1", "Deployment", "orders-pgpool"),
    object("v1", "Service", "orders-pgpool"),
    object("v1", "ConfigMap", "orders-spec"),
  };
  CHECK(refs(kpg::kube::in_apply_order(rendered)) ==
        std::vector<std::string>{ "namespace/shop", "networkpolicy.networking.k8s.io/orders",
                                  "serviceaccount/a", "secret/s1", "secret/s2",
                                  "configmap/orders-spec", "service/orders-pgpool",
                                  "statefulset.apps/orders", "deployment.apps/orders-pgpool" });
}

TEST_CASE("apply_object")
{
  kpg::test::FakeClock clock;
  kpg::test::FakeTransport transport;
  kpg::kube::RestConfig config;
  config.server = "https://10.0.0.1:6443";
  kpg::kube::RestClient rest(config, transport, clock);
  kpg::kube::ApplySetOptions options;
  const auto sts = object("apps/v1", "StatefulSet", "orders");
  kpg::kube::ExistingObjects before;
  before["statefulset.apps/orders"] = {
    { "metadata", { { "name", "orders" }, { "resourceVersion", "10" }, { "generation", 1 } } },
    { "spec", { { "replicas", 3 } } },
    { "status", { { "readyReplicas", 1 } } }
  };

  SUBCASE("201 is created")
  {
    transport.replies.push_back(reply(201, R"({"metadata":{"name":"orders"}})"));
    auto applied = kpg::kube::apply_object(rest, sts, options, {});
    REQUIRE(applied);
    CHECK(applied->action == ApplyAction::created);
    CHECK(applied->ref == "statefulset.apps/orders");
  }

  SUBCASE("the same resourceVersion is unchanged")
  {
    transport.replies.push_back(
      reply(200, R"({"metadata":{"name":"orders","resourceVersion":"10"},"spec":{"replicas":3}})"));
    auto applied = kpg::kube::apply_object(rest, sts, options, before);
    REQUIRE(applied);
    CHECK(applied->action == ApplyAction::unchanged);
  }

  SUBCASE("only status written in between is still unchanged")
  {
    transport.replies.push_back(
      reply(200, R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"orders",)"
                 R"("resourceVersion":"12","generation":1},"spec":{"replicas":3},)"
                 R"("status":{"readyReplicas":2}})"));
    auto applied = kpg::kube::apply_object(rest, sts, options, before);
    REQUIRE(applied);
    CHECK(applied->action == ApplyAction::unchanged);
  }

  SUBCASE("a changed spec is configured, and so is an object not read before")
  {
    transport.replies.push_back(
      reply(200, R"({"metadata":{"name":"orders","resourceVersion":"13"},"spec":{"replicas":5}})"));
    auto applied = kpg::kube::apply_object(rest, sts, options, before);
    REQUIRE(applied);
    CHECK(applied->action == ApplyAction::configured);
    transport.replies.push_back(
      reply(200, R"({"metadata":{"name":"orders","resourceVersion":"10"},"spec":{"replicas":3}})"));
    CHECK(kpg::kube::apply_object(rest, sts, options, {})->action == ApplyAction::configured);
  }

  SUBCASE("a Secret is created with POST and kept when it exists")
  {
    const auto secret = object("v1", "Secret", "orders-superuser");
    transport.replies.push_back(
      reply(409, R"({"kind":"Status","apiVersion":"v1","code":409,"reason":"AlreadyExists",)"
                 R"("message":"secrets \"orders-superuser\" already exists"})"));
    auto applied = kpg::kube::apply_object(rest, secret, options, {});
    REQUIRE(applied);
    CHECK(applied->action == ApplyAction::kept);
    CHECK(kpg::kube::to_string(applied->action) == "unchanged");
    CHECK(transport.sent.at(0).method == "POST");
    CHECK(transport.sent.at(0).path ==
          "/api/v1/namespaces/shop/secrets?fieldManager=kubectl-pg&fieldValidation=Strict");
  }

  SUBCASE("a conflict is the server's error, with the manager and --force-conflicts")
  {
    transport.replies.push_back(
      reply(409, R"({"kind":"Status","apiVersion":"v1","code":409,"reason":"Conflict","message":)"
                 R"("Apply failed with 1 conflict: conflict with \"hand-edit\": .spec.replicas",)"
                 R"("details":{"causes":[{"reason":"FieldManagerConflict","message":)"
                 R"("conflict with \"hand-edit\"","field":".spec.replicas"}]}})"));
    auto applied = kpg::kube::apply_object(rest, sts, options, before);
    REQUIRE_FALSE(applied);
    const auto text = applied.error().text();
    CHECK(text.find("hand-edit") != std::string::npos);
    CHECK(text.find("--force-conflicts") != std::string::npos);
  }
}
