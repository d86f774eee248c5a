#include "core/base64.hpp"
#include "core/yaml_json.hpp"
#include "render/cluster_renderer.hpp"
#include "render/manifest_output.hpp"
#include "render/spec_document.hpp"
#include "render/spec_validation.hpp"

#include <doctest/doctest.h>

#include <cctype>

#include <string>

using kpg::base64_encode;
using kpg::json_to_yaml;
using namespace kpg::render;

namespace {

// Predictable passwords, so tests can look for them.
class CountingPasswords final : public PasswordSource
{
public:
  kpg::SecretString next() override
  {
    return kpg::SecretString("password-" + std::to_string(++m_count));
  }

private:
  int m_count = 0;
};

ClusterSpec spec_named(const std::string& name)
{
  ClusterSpec spec;
  spec.name = name;
  spec.namespace_name = "shop";
  return spec;
}

std::vector<std::string> kinds(const RenderedCluster& rendered)
{
  std::vector<std::string> out;
  for (const auto& object : rendered.objects) {
    out.push_back(object["kind"].get<std::string>() + "/" +
                  object["metadata"]["name"].get<std::string>());
  }
  return out;
}

const nlohmann::ordered_json& find(const RenderedCluster& rendered, const std::string& kind,
                                   const std::string& name)
{
  for (const auto& object : rendered.objects) {
    if (object["kind"] == kind && object["metadata"]["name"] == name) {
      return object;
    }
  }
  FAIL("not rendered: " << kind << "/" << name);
  return rendered.objects.front();
}

} // namespace

TEST_CASE("render_cluster")
{
  const auto templates = TemplateSet::embedded("patroni");
  CountingPasswords passwords;
  OpenSslCertificateSource certificates;
  const auto render = [&](const ClusterSpec& spec, SecretDisclosure disclosure) {
    return render_cluster(spec, templates, passwords, certificates, disclosure);
  };
  const auto render_text = [&](const ClusterSpec& spec, SecretDisclosure disclosure) {
    return render_cluster_documents(spec, templates, passwords, certificates, disclosure);
  };

  SUBCASE("renders the whole stack in a stable order")
  {
    const auto rendered = render(spec_named("orders"), SecretDisclosure::withhold);
    CHECK(kinds(rendered) == std::vector<std::string>{
                               "Namespace/shop",
                               "ServiceAccount/orders-patroni",
                               "Role/orders-patroni",
                               "RoleBinding/orders-patroni",
                               "Secret/orders-superuser",
                               "Secret/orders-replication",
                               "Secret/orders-patroni-api",
                               "Secret/orders-pgpool",
                               "Secret/orders-pgpool-admin",
                               "Secret/orders-tls",
                               "ConfigMap/orders-patroni-settings",
                               "ConfigMap/orders-pgpool",
                               "ConfigMap/orders-spec",
                               "Service/orders-headless",
                               "Service/orders-primary",
                               "Service/orders-replica",
                               "Service/orders-pgpool",
                               "StatefulSet/orders",
                               "Deployment/orders-pgpool",
                               "PodDisruptionBudget/orders",
                               "PodDisruptionBudget/orders-pgpool",
                               "NetworkPolicy/orders",
                             });
    CHECK(rendered.withheld_secrets.size() == 6);
    CHECK(rendered.withheld_secrets.front() == "shop/orders-superuser");
  }

  SUBCASE("withheld Secrets carry the placeholder and no generated password")
  {
    const auto rendered = render(spec_named("orders"), SecretDisclosure::withhold);
    const auto& secret = find(rendered, "Secret", "orders-superuser");
    CHECK(secret["data"]["password"] == base64_encode(k_withheld_password));
    CHECK(secret["data"]["username"] == base64_encode("postgres"));
    CHECK(secret["metadata"]["annotations"][k_withheld_annotation] == "withheld");
    CHECK(passwords.next().reveal() == "password-1"); // none were drawn
  }

  SUBCASE("--show-secrets puts generated passwords in")
  {
    const auto rendered = render(spec_named("orders"), SecretDisclosure::show);
    CHECK(rendered.withheld_secrets.empty());
    CHECK(find(rendered, "Secret", "orders-superuser")["data"]["password"] ==
          base64_encode("password-1"));
    CHECK(find(rendered, "Secret", "orders-pgpool-admin")["data"]["password"] ==
          base64_encode("password-5"));
    CHECK_FALSE(find(rendered, "Secret", "orders-superuser")["metadata"].contains("annotations"));
  }

  SUBCASE("spec values reach the objects, hostile ones intact")
  {
    auto spec = spec_named("orders");
    spec.namespace_policy = NamespacePolicy::exists;
    spec.members = 5;
    spec.annotations = {{"example.com/note", "a: b\n- c {{x}} #d"}};
    spec.labels = {{"team", "payments"}};
    spec.postgresql.parameters = {{"search_path", "\"$user\", public"}};
    spec.postgresql.synchronous_mode = SynchronousMode::strict;
    spec.anti_affinity = AntiAffinity::required;
    spec.service_type = ServiceType::load_balancer;
    spec.storage.storage_class = "fast";
    const auto rendered = render(spec, SecretDisclosure::withhold);
    CHECK(rendered.objects.front()["kind"] == "ServiceAccount");
    const auto& sts = find(rendered, "StatefulSet", "orders");
    CHECK(sts["spec"]["replicas"] == 5);
    CHECK(sts["metadata"]["annotations"]["example.com/note"] == "a: b\n- c {{x}} #d");
    CHECK(sts["spec"]["template"]["metadata"]["labels"]["team"] == "payments");
    CHECK(sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast");
    const auto& affinity = sts["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"];
    CHECK(affinity.contains("requiredDuringSchedulingIgnoredDuringExecution"));
    CHECK_FALSE(affinity.contains("preferredDuringSchedulingIgnoredDuringExecution"));
    CHECK(find(rendered, "Service", "orders-pgpool")["spec"]["type"] == "LoadBalancer");
    const auto settings = nlohmann::json::parse(
      find(rendered, "ConfigMap", "orders-patroni-settings")["data"]["SPILO_CONFIGURATION"]
        .get<std::string>());
    const auto& dcs = settings["bootstrap"]["dcs"];
    CHECK(dcs["synchronous_mode"] == true);
    CHECK(dcs["synchronous_mode_strict"] == true);
    CHECK(dcs["postgresql"]["parameters"]["search_path"] == "\"$user\", public");
    CHECK(dcs["postgresql"]["parameters"]["max_connections"] == "148");
  }

  SUBCASE("a single member sends no reads to the empty replica Service")
  {
    auto spec = spec_named("solo");
    spec.members = 1;
    const auto rendered = render(spec, SecretDisclosure::withhold);
    CHECK(find(rendered, "ConfigMap", "solo-pgpool")["data"]["PGPOOL_PARAMS_BACKEND_WEIGHT1"] ==
          "0");
  }

  SUBCASE("the spec ConfigMap holds the resolved spec under the stored spec key")
  {
    auto spec = spec_named("orders");
    spec.annotations = {{"note", "a: b\n- c"}};
    const auto rendered = render(spec, SecretDisclosure::withhold);
    CHECK(find(rendered, "ConfigMap", "orders-spec")["data"][k_stored_spec_key] ==
          json_to_yaml(cluster_spec_document(spec)));
  }

  SUBCASE("the YAML documents are the objects, printed as rendered and reproducibly")
  {
    auto spec = spec_named("orders");
    spec.annotations = {{"note", "a: b\n- c"}};
    const auto documents = render_text(spec, SecretDisclosure::withhold);
    const auto objects = render(spec, SecretDisclosure::withhold);
    CHECK(parse_documents(documents.documents) == objects.objects);
    CHECK(documents.withheld_secrets == objects.withheld_secrets);
    const auto again = render_text(spec, SecretDisclosure::withhold);
    CHECK(join_yaml_documents(documents.documents) == join_yaml_documents(again.documents));
    CHECK(join_yaml_documents(documents.documents).starts_with("# The cluster's Namespace."));
  }
}

TEST_CASE("join_yaml_documents")
{
  CHECK(join_yaml_documents({"kind: A\n", "# b\nkind: B\n"}) == "kind: A\n---\n# b\nkind: B\n");
  CHECK(join_yaml_documents({}) == "");
}

TEST_CASE("format_manifests")
{
  const std::vector<nlohmann::ordered_json> objects = {{{"kind", "A"}}, {{"kind", "B"}}};
  CHECK(format_manifests(objects, ManifestFormat::yaml) == "kind: A\n---\nkind: B\n");
  CHECK(nlohmann::json::parse(format_manifests(objects, ManifestFormat::json)) ==
        nlohmann::json{{"apiVersion", "v1"},
                       {"kind", "List"},
                       {"items", {{{"kind", "A"}}, {{"kind", "B"}}}},
                       {"metadata", {{"resourceVersion", ""}}}});
}

TEST_CASE("OpenSslPasswordSource::next")
{
  OpenSslPasswordSource source;
  const auto a = source.next();
  const auto b = source.next();
  CHECK(a.reveal().size() == 32);
  CHECK(a.reveal().find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789-_") == std::string::npos);
  CHECK_FALSE(a == b);
  // A leading '-' or '_' would come 1 time in 32 without the redraw.
  for (int i = 0; i < 2000; ++i) {
    const auto password = source.next();
    REQUIRE(std::isalnum(static_cast<unsigned char>(password.reveal().front())));
  }
}
