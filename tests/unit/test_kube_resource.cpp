#include "kube/resource.hpp"
#include "kube/resource_client.hpp"
#include "kube_fakes.hpp"

#include <doctest/doctest.h>

using kpg::kube::resource_for_kind;
using kpg::kube::resource_path;
using kpg::kube::ResourceClient;
using kpg::test::reply;

TEST_CASE("resource_path")
{
  const auto sts = *resource_for_kind("apps/v1", "StatefulSet");
  const auto ns = *resource_for_kind("v1", "Namespace");
  const auto pods = *resource_for_kind("v1", "Pod");
  CHECK(resource_path(sts, "db", "pg", "scale") ==
        "/apis/apps/v1/namespaces/db/statefulsets/pg/scale");
  CHECK(resource_path(pods, "db") == "/api/v1/namespaces/db/pods");
  CHECK(resource_path(pods, "") == "/api/v1/pods");
  CHECK(resource_path(ns, "ignored", "db") == "/api/v1/namespaces/db");
  CHECK(sts.group_resource() == "statefulsets.apps");
  CHECK(resource_for_kind("apps/v1beta1", "StatefulSet").error() ==
        "no resource is known for kind \"StatefulSet\" in \"apps/v1beta1\": kubectl-pg serves "
        "only the built-in kinds of its stack (src/kube/resource.cpp)");
}

TEST_CASE("ResourceClient")
{
  kpg::test::FakeClock clock;
  kpg::test::FakeTransport transport;
  kpg::kube::RestConfig config;
  config.server = "https://10.0.0.1:6443";
  kpg::kube::RestClient rest(config, transport, clock);
  ResourceClient statefulsets(rest, *resource_for_kind("apps/v1", "StatefulSet"), "db");
  const nlohmann::json sts = {
    { "apiVersion", "apps/v1" },
    { "kind", "StatefulSet" },
    { "metadata", { { "name", "pg" }, { "managedFields", { { { "manager", "x" } } } } } },
    { "spec", { { "replicas", 3 } } }
  };

  SUBCASE("apply: PATCH apply-patch+yaml with fieldManager, force, fieldValidation, dryRun")
  {
    transport.replies.push_back(reply(201, R"({"metadata":{"name":"pg"}})"));
    kpg::kube::ApplyOptions options;
    options.force = kpg::kube::ForceConflicts::yes;
    options.dry_run = kpg::kube::DryRun::all;
    auto result = statefulsets.apply(sts, options);
    REQUIRE(result);
    CHECK(result->created);
    const auto& sent = transport.sent.at(0);
    CHECK(sent.method == "PATCH");
    CHECK(sent.path == "/apis/apps/v1/namespaces/db/statefulsets/pg?dryRun=All&fieldManager="
                       "kubectl-pg&fieldValidation=Strict&force=true");
    CHECK(sent.headers ==
          kpg::kube::HttpHeaders{ { "Content-Type", "application/apply-patch+yaml" } });
    CHECK(
      sent.body ==
      R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"pg"},"spec":{"replicas":3}})");
  }
  SUBCASE("apply of an unchanged object is 200, not created")
  {
    transport.replies.push_back(reply(200, "{}"));
    CHECK_FALSE(statefulsets.apply(sts)->created);
    CHECK(transport.sent.at(0).path.find("force=false") != std::string::npos);
  }
  SUBCASE("list_all pages with limit/continue until continue is empty")
  {
    transport.replies.push_back(reply(
      200,
      R"({"kind":"StatefulSetList","metadata":{"resourceVersion":"7","continue":"c1"},"items":[{"n":1},{"n":2}]})"));
    transport.replies.push_back(
      reply(200, R"({"metadata":{"resourceVersion":"7","continue":"c2"},"items":[]})"));
    transport.replies.push_back(
      reply(200, R"({"metadata":{"resourceVersion":"7"},"items":[{"n":3}]})"));
    kpg::kube::ListOptions options;
    options.label_selector = "app=pg,role in (primary,replica)";
    options.limit = 2;
    auto list = statefulsets.list_all(options);
    REQUIRE(list);
    CHECK((*list)["items"].size() == 3);
    CHECK((*list)["metadata"] == nlohmann::json{ { "resourceVersion", "7" } });
    CHECK(transport.sent.at(0).path == "/apis/apps/v1/namespaces/db/statefulsets?labelSelector="
                                       "app%3Dpg%2Crole%20in%20%28primary%2Creplica%29&limit=2");
    CHECK(transport.sent.at(2).path.find("&continue=c2") != std::string::npos);
  }
  SUBCASE("list_all with item_fields keeps only those fields of each item")
  {
    transport.replies.push_back(
      reply(200, R"({"kind":"StatefulSetList","metadata":{"continue":"c1"},)"
                 R"("items":[{"metadata":{"name":"a","uid":"u"},"spec":{"replicas":1}}]})"));
    transport.replies.push_back(
      reply(200, R"({"metadata":{},"items":[{"metadata":{"name":"b"},"status":{}}]})"));
    const kpg::FieldMask fields{ "metadata.name" };
    kpg::kube::ListOptions options;
    options.item_fields = &fields;
    auto list = statefulsets.list_all(options);
    REQUIRE(list);
    CHECK(*list == nlohmann::json::parse(R"({"kind":"StatefulSetList","metadata":{},)"
                                         R"("items":[{"metadata":{"name":"a"}},)"
                                         R"({"metadata":{"name":"b"}}]})"));
  }
  SUBCASE("list_all restarts once when the continue token expires")
  {
    transport.replies.push_back(reply(200, R"({"metadata":{"continue":"c1"},"items":[{"n":1}]})"));
    transport.replies.push_back(
      reply(410, R"({"kind":"Status","code":410,"reason":"Expired","message":"too old"})"));
    transport.replies.push_back(reply(200, R"({"metadata":{},"items":[{"n":1},{"n":2}]})"));
    auto list = statefulsets.list_all();
    REQUIRE(list);
    CHECK((*list)["items"].size() == 2);
  }
  SUBCASE("remove sends DeleteOptions")
  {
    transport.replies.push_back(reply(200, "{}"));
    kpg::kube::DeleteOptions options;
    options.grace_period_seconds = 0;
    options.propagation_policy = "Foreground";
    options.precondition_uid = "u-1";
    CHECK(statefulsets.remove("pg", options));
    CHECK(transport.sent.at(0).method == "DELETE");
    CHECK(
      transport.sent.at(0).body ==
      R"({"apiVersion":"v1","gracePeriodSeconds":0,"kind":"DeleteOptions","preconditions":{"uid":"u-1"},"propagationPolicy":"Foreground"})");
  }
  SUBCASE("scale and status subresources, patch types")
  {
    transport.replies.push_back(reply(200, "{}"));
    transport.replies.push_back(reply(200, "{}"));
    transport.replies.push_back(reply(200, "{}"));
    CHECK(statefulsets.set_scale("pg", 5));
    CHECK(statefulsets.get_status("pg"));
    CHECK(
      statefulsets.patch("pg", kpg::kube::PatchType::json,
                         nlohmann::json::array({ { { "op", "remove" }, { "path", "/spec/x" } } })));
    CHECK(transport.sent.at(0).path == "/apis/apps/v1/namespaces/db/statefulsets/pg/scale?"
                                       "fieldManager=kubectl-pg&fieldValidation=Strict");
    CHECK(transport.sent.at(0).body == R"({"spec":{"replicas":5}})");
    CHECK(transport.sent.at(0).headers.at(0).second == "application/merge-patch+json");
    CHECK(transport.sent.at(1).path == "/apis/apps/v1/namespaces/db/statefulsets/pg/status");
    CHECK(transport.sent.at(2).headers.at(0).second == "application/json-patch+json");
  }
  SUBCASE("errors name the object")
  {
    transport.replies.push_back(reply(404, ""));
    auto result = statefulsets.get("pg");
    REQUIRE_FALSE(result);
    CHECK(result.error().text() == "Error from server (NotFound): the server could not find the "
                                   "requested resource (get statefulsets.apps pg)");
  }
}
