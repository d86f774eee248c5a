// src/kube over real HTTPS on loopback against api_server.py: every
// authentication method, TLS failures, API errors, retries, server-side
// apply, pagination, watches that are cut and expired, the pod proxy.

#include "api_server.hpp"
#include "kube/pod_proxy.hpp"
#include "kube/resource_client.hpp"
#include "kube/wait.hpp"

#include <doctest/doctest.h>

#include <map>
#include <sstream>

using kpg::kube::ResourceClient;
using kpg::test::ApiServer;
using kpg::test::Connection;

namespace {

ResourceClient configmaps(Connection& c)
{
  return ResourceClient(c.client, *kpg::kube::resource_for_kind("v1", "ConfigMap"), "db");
}

nlohmann::json configmap(const std::string& name, nlohmann::json data = nlohmann::json::object())
{
  return { { "apiVersion", "v1" },
           { "kind", "ConfigMap" },
           { "metadata", { { "name", name } } },
           { "data", data } };
}

std::string token_user(const std::string& token)
{
  return "token: " + token;
}

std::string ca_file(const char* file = "ca.crt")
{
  return "certificate-authority: " + std::string(file);
}

} // namespace

TEST_CASE("authentication over HTTPS")
{
  ApiServer server;

  SUBCASE("client certificate files")
  {
    Connection c(server.kubeconfig("cert", server.url(), ca_file(),
                                   "client-certificate: client.crt\nclient-key: client.key"));
    auto cms = configmaps(c);
    auto created = cms.create(configmap("a", { { "k", "v" } }));
    REQUIRE(created);
    auto again = cms.create(configmap("a"));
    REQUIRE_FALSE(again);
    CHECK(again.error().text() ==
          "Error from server (AlreadyExists): configmaps \"a\" already exists");
    auto missing = cms.get("nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().text() == "Error from server (NotFound): configmaps \"nope\" not found");
    CHECK(server.stats()["user_agents"][0].get<std::string>().rfind("kubectl-pg/v", 0) == 0);
  }
  SUBCASE("bearer token; a bad token is 401; a read-only user gets 403 on writes")
  {
    Connection good(server.kubeconfig("token", server.url(), ca_file(), token_user("good-token")));
    CHECK(configmaps(good).list());
    Connection bad(server.kubeconfig("bad", server.url(), ca_file(), token_user("wrong")));
    auto denied = configmaps(bad).list();
    REQUIRE_FALSE(denied);
    CHECK(denied.error().text() == "You must be logged in to the server (Unauthorized)");
    Connection reader(
      server.kubeconfig("reader", server.url(), ca_file(), token_user("readonly-token")));
    auto forbidden = configmaps(reader).create(configmap("b"));
    REQUIRE_FALSE(forbidden);
    CHECK(forbidden.error().text() ==
          "Error from server (Forbidden): configmaps is forbidden: User "
          "\"reader\" cannot post resource \"configmaps\"");
  }
  SUBCASE("exec plugin: a refused token makes the plugin run again")
  {
    const std::string plugin =
      std::string(KPG_SOURCE_DIR) + "/tests/fixtures/kubeconfig/plugins/get-token";
    Connection c(server.kubeconfig("exec", server.url(), ca_file(),
                                   "exec:\n  apiVersion: client.authentication.k8s.io/v1\n"
                                   "  interactiveMode: Never\n  command: " +
                                     plugin +
                                     "\n  env:\n  - {name: PLUGIN_MODE, value: token}\n"
                                     "  - {name: PLUGIN_LOG, value: " +
                                     server.dir() + "/plugin.log}"));
    CHECK(configmaps(c).list()); // tok-1 refused, tok-2 accepted
    CHECK(server.stats()["requests"] == 2);
  }
  SUBCASE("impersonation: the kubeconfig's as, as-uid and as-groups reach the server as headers")
  {
    Connection c(server.kubeconfig("as", server.url(), ca_file(),
                                   token_user("good-token") +
                                     "\nas: jane\nas-uid: u-1\nas-groups: [devs, ops]"));
    CHECK(configmaps(c).list());
    CHECK(configmaps(c).create(configmap("imp")));
    using nlohmann::json;
    const json expected = json::array({ json::array({ "Impersonate-User", "jane" }),
                                        json::array({ "Impersonate-Uid", "u-1" }),
                                        json::array({ "Impersonate-Group", "devs" }),
                                        json::array({ "Impersonate-Group", "ops" }) });
    CHECK(server.stats()["impersonation"] == json::array({ expected, expected }));
  }
  SUBCASE("tls-server-name: SNI and verification use it, the connection goes to the URL host")
  {
    Connection c(server.kubeconfig("sni", server.url(),
                                   ca_file() + "\ntls-server-name: kubernetes.default",
                                   token_user("good-token")));
    CHECK(configmaps(c).list());
  }
}

TEST_CASE("TLS and connection failures")
{
  ApiServer server;

  SUBCASE("a wrong CA names the CA origin and the host")
  {
    Connection c(server.kubeconfig("wrong-ca", server.url(), ca_file("wrong-ca.crt"),
                                   token_user("good-token")));
    auto result = configmaps(c).list();
    REQUIRE_FALSE(result);
    REQUIRE(result.error().transport());
    CHECK(result.error().transport()->kind == kpg::kube::TransportErrorKind::tls_verify);
    const std::string text = result.error().text();
    INFO(text);
    CHECK(text.find("Unable to connect to the server: TLS verification of the server " +
                    server.url().substr(8) + " failed") == 0);
    CHECK(text.find("the trusted CA is certificate-authority file " + server.dir() +
                    "/wrong-ca.crt (cluster \"test\")") != std::string::npos);
  }
  SUBCASE("an expired server certificate says so")
  {
    Connection c(
      server.kubeconfig("expired", server.expired_url(), ca_file(), token_user("good-token")));
    auto result = configmaps(c).list();
    REQUIRE_FALSE(result);
    CHECK(result.error().transport()->kind == kpg::kube::TransportErrorKind::tls_verify);
    CHECK(result.error().text().find("certificate has expired") != std::string::npos);
  }
  SUBCASE("an expired client certificate is rejected by the server (TLS 1.2: an alert)")
  {
    Connection c(
      server.kubeconfig("old-client", server.tls12_url(), ca_file(),
                        "client-certificate: expired-client.crt\nclient-key: client.key"));
    auto result = configmaps(c).list();
    REQUIRE_FALSE(result);
    REQUIRE(result.error().transport());
    INFO(result.error().text());
    CHECK(result.error().transport()->kind == kpg::kube::TransportErrorKind::tls_handshake);
  }
  SUBCASE("connection refused reads as kubectl's")
  {
    Connection c(
      server.kubeconfig("refused", "https://127.0.0.1:1", ca_file(), token_user("good-token")));
    auto result = configmaps(c).list();
    REQUIRE_FALSE(result);
    CHECK(result.error().text() == "The connection to the server 127.0.0.1:1 was refused - did you "
                                   "specify the right host or port?");
  }
  SUBCASE("HTTPS_PROXY from the environment is used, NO_PROXY bypasses it")
  {
    const auto path =
      server.kubeconfig("proxied", server.url(), ca_file(), token_user("good-token"));
    Connection via_proxy(path,
                         kpg::test::ApiServer::env_of({ { "HTTPS_PROXY", "http://127.0.0.1:1" } }));
    auto result = configmaps(via_proxy).list();
    REQUIRE_FALSE(result);
    CHECK(result.error().transport()->kind == kpg::kube::TransportErrorKind::proxy);
    Connection bypass(path, kpg::test::ApiServer::env_of({ { "HTTPS_PROXY", "http://127.0.0.1:1" },
                                                           { "NO_PROXY", "127.0.0.1" } }));
    CHECK(configmaps(bypass).list());
  }
}

TEST_CASE("API errors and retries")
{
  ApiServer server;
  Connection c(server.kubeconfig("token", server.url(), ca_file(), token_user("good-token")));
  auto cms = configmaps(c);

  SUBCASE("422 Invalid: one line per cause")
  {
    auto result = cms.replace(configmap("invalid"));
    REQUIRE_FALSE(result);
    CHECK(result.error().text() == "The ConfigMap \"invalid\" is invalid: \n"
                                   "* data: Too long: must have at most 1048576 bytes\n"
                                   "* metadata.labels: Invalid value: \"-x\": a valid label must "
                                   "end with an alphanumeric character");
  }
  SUBCASE("429 with Retry-After, twice, then success")
  {
    CHECK(cms.get("busy"));
    CHECK(server.stats()["requests"] == 3);
  }
  SUBCASE("500 with Retry-After is retried; without it, it is the answer")
  {
    CHECK(cms.get("flaky"));
    auto broken = cms.get("broken");
    REQUIRE_FALSE(broken);
    CHECK(broken.error().text() ==
          "Error from server (InternalError): etcdserver: request timed out");
  }
}

TEST_CASE("server-side apply")
{
  ApiServer server;
  Connection c(server.kubeconfig("token", server.url(), ca_file(), token_user("good-token")));
  auto cms = configmaps(c);
  std::ostringstream warnings_out;
  kpg::kube::WarningPrinter printer(warnings_out);
  kpg::kube::RestClient warned(c.config, c.transport, c.clock, {}, std::ref(printer));
  ResourceClient warned_cms(warned, cms.type(), "db");

  SUBCASE("201 when created, 200 when updated; dryRun=All persists nothing")
  {
    kpg::kube::ApplyOptions dry;
    dry.dry_run = kpg::kube::DryRun::all;
    CHECK(cms.apply(configmap("x", { { "a", "1" } }), dry)->created);
    CHECK_FALSE(cms.get("x"));
    auto first = cms.apply(configmap("x", { { "a", "1" } }));
    REQUIRE(first);
    CHECK(first->created);
    CHECK(first->object["metadata"]["managedFields"][0]["manager"] == "kubectl-pg");
    auto second = cms.apply(configmap("x", { { "a", "2" } }));
    REQUIRE(second);
    CHECK_FALSE(second->created);
    CHECK(cms.get("x").value()["data"]["a"] == "2");
  }
  SUBCASE("a conflict is explained; --force-conflicts takes the field over")
  {
    auto conflict = cms.apply(configmap("conflicted", { { "owner", "me" } }));
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().text().find("  .data.owner  (conflict with \"helm\" using v1)\n") !=
          std::string::npos);
    kpg::kube::ApplyOptions force;
    force.force = kpg::kube::ForceConflicts::yes;
    CHECK(cms.apply(configmap("conflicted", { { "owner", "me" } }), force));
  }
  SUBCASE("fieldValidation=Strict rejects unknown fields; Warn prints the server's warning")
  {
    auto object = configmap("y");
    object["bogus"] = true;
    auto strict = cms.apply(object);
    REQUIRE_FALSE(strict);
    CHECK(strict.error().text() == "Error from server (BadRequest): error strict decoding YAML: "
                                   "error converting YAML to JSON: unknown field \"bogus\"");
    kpg::kube::ApplyOptions warn;
    warn.field_validation = kpg::kube::FieldValidation::warn;
    CHECK(warned_cms.apply(object, warn));
    CHECK(warnings_out.str() == "Warning: unknown field \"bogus\"\n");
  }
}

TEST_CASE("list, watch and wait")
{
  ApiServer server;
  Connection c(server.kubeconfig("token", server.url(), ca_file(), token_user("good-token")));
  auto cms = configmaps(c);
  kpg::kube::WaitOptions options;
  options.timeout = std::chrono::seconds(30);
  const auto step_at_least = [](int step) {
    return [step](const nlohmann::json* cm) {
      return cm != nullptr && std::stoi((*cm)["data"].value("step", "0")) >= step;
    };
  };

  SUBCASE("list_all pages through limit/continue")
  {
    for (int i = 0; i < 5; ++i) {
      REQUIRE(cms.create(configmap("cm-" + std::to_string(i))));
    }
    kpg::kube::ListOptions page;
    page.limit = 2;
    auto all = cms.list_all(page);
    REQUIRE(all);
    CHECK((*all)["items"].size() == 5);
    CHECK(server.stats()["lists"] == 3);
  }
  SUBCASE("a watch cut mid-stream resumes from the last resourceVersion")
  {
    REQUIRE(cms.create(configmap("w", { { "step", "0" } })));
    server.control({ { "auto_step", true }, { "cut_after_events", 1 } });
    auto result = kpg::kube::wait_for_object(cms, "w", step_at_least(3), options);
    REQUIRE(result);
    CHECK(result->outcome == kpg::kube::WaitOutcome::satisfied);
    const auto stats = server.stats();
    CHECK(stats["lists"] == 1); // never relisted: every watch resumed
    const auto watches = stats["watches"];
    REQUIRE(watches.size() >= 3);
    CHECK(watches[1].get<int>() == watches[0].get<int>() + 1); // resumed right after the event seen
    CHECK(watches[2].get<int>() == watches[1].get<int>() + 1);
  }
  SUBCASE("410 Expired relists, then watches from the new list")
  {
    REQUIRE(cms.create(configmap("w", { { "step", "0" } })));
    server.control({ { "auto_step", true }, { "expire_next_watch", true } });
    auto result = kpg::kube::wait_for_object(cms, "w", step_at_least(1), options);
    REQUIRE(result);
    CHECK(result->outcome == kpg::kube::WaitOutcome::satisfied);
    CHECK(server.stats()["lists"] == 2);
  }
  SUBCASE("the deadline ends a wait that never comes true")
  {
    REQUIRE(cms.create(configmap("still", { { "step", "0" } })));
    options.timeout = std::chrono::seconds(2);
    auto result = kpg::kube::wait_for_object(cms, "still", step_at_least(1), options);
    REQUIRE(result);
    CHECK(result->outcome == kpg::kube::WaitOutcome::timed_out);
  }
}

TEST_CASE("pod proxy")
{
  ApiServer server;
  Connection c(server.kubeconfig("token", server.url(), ca_file(), token_user("good-token")));
  kpg::kube::PodProxyRequest request{
    "db", "pg-0", 8008, kpg::kube::PodScheme::http, "GET", "/patroni?code=503", "", ""
  };
  auto response = kpg::kube::pod_proxy(c.client, request);
  REQUIRE(response);
  CHECK(response->status == 503); // the backend's answer passes through
  CHECK(nlohmann::json::parse(response->body)["path"] == "patroni");
}
