#include "kube/kubeconfig.hpp"
#include "kube_fakes.hpp"

#include <doctest/doctest.h>

using kpg::kube::load_kubeconfig;
using kpg::kube::parse_kubeconfig;
using kpg::test::fake_env;
using kpg::test::fixture;

TEST_CASE("parse_kubeconfig")
{
  const std::string dir = fixture("kubeconfig");

  SUBCASE("reads every field and resolves relative paths against the file")
  {
    auto config = load_kubeconfig(dir + "/auth-methods.yaml", fake_env({}));
    REQUIRE(config);
    CHECK(config->current_context == "cert-files");
    CHECK(config->clusters.at("files").certificate_authority == dir + "/certs/ca.crt");
    CHECK(config->clusters.at("inline").certificate_authority_data ==
          "-----BEGIN CERTIFICATE-----\nfixture-ca\n-----END CERTIFICATE-----\n");
    CHECK(config->clusters.at("inline").tls_server_name == "kubernetes.default");
    CHECK(config->clusters.at("inline").proxy_url == "http://proxy.example:3128");
    CHECK(config->users.at("cert-files").client_key == dir + "/certs/client.key");
    CHECK(config->users.at("cert-inline").client_key_data.reveal() ==
          "-----BEGIN PRIVATE KEY-----\nfixture-key\n-----END PRIVATE KEY-----\n");
    CHECK(config->users.at("token").token.reveal() == "static-token");
    CHECK(config->users.at("token-file").token_file == dir + "/certs/token");
    const auto& exec = *config->users.at("exec").exec;
    CHECK(exec.command == dir + "/plugins/get-token");
    CHECK(exec.args == std::vector<std::string>{ "--cluster", "c1" });
    CHECK(exec.env.at(0).name == "PLUGIN_MODE");
    CHECK(exec.interactive_mode == "IfAvailable"); // v1beta1 default
    CHECK(exec.provide_cluster_info);
    CHECK(config->contexts.at("cert-files").namespace_name == "db");
  }
  SUBCASE("an exec command without a slash is looked up on PATH, not resolved")
  {
    auto config = parse_kubeconfig("users:\n- name: u\n  user:\n    exec:\n      command: aws\n",
                                   "/etc/k/config");
    REQUIRE(config);
    CHECK(config->users.at("u").exec->command == "aws");
    CHECK(config->users.at("u").exec->interactive_mode.empty()); // v1: no default
  }
  SUBCASE("an empty file is an empty config")
  {
    auto config = parse_kubeconfig("", "/x/config");
    REQUIRE(config);
    CHECK(config->empty());
  }
  SUBCASE("malformed documents")
  {
    CHECK(parse_kubeconfig("clusters: [\n", "/x/c").error() ==
          "error loading config file \"/x/c\": yaml: line 2: end of sequence flow not found");
    CHECK(parse_kubeconfig("- a\n", "/x/c").error() ==
          "error loading config file \"/x/c\": expected a map at the top level (apiVersion: "
          "v1, kind: Config)");
    CHECK(parse_kubeconfig("clusters: {a: 1}\n", "/x/c").error() ==
          "error loading config file \"/x/c\": clusters: expected a list");
    CHECK(parse_kubeconfig("clusters:\n- name: a\n  cluster: {server: [1]}\n", "/x/c").error() ==
          "error loading config file \"/x/c\": clusters[0].cluster.server: expected a string");
    CHECK(parse_kubeconfig("clusters:\n- name: a\n  cluster: {insecure-skip-tls-verify: maybe}\n",
                           "/x/c")
            .error() ==
          "error loading config file \"/x/c\": clusters[0].cluster.insecure-skip-tls-verify: "
          "expected true or false");
    CHECK(parse_kubeconfig("clusters:\n- name: a\n  cluster: {certificate-authority-data: '!!'}\n",
                           "/x/c")
            .error() ==
          "error loading config file \"/x/c\": clusters[0].cluster.certificate-authority-data: "
          "illegal base64 data (the *-data fields hold base64 of the PEM bytes)");
    CHECK(parse_kubeconfig("users:\n- name: a\n- name: a\n", "/x/c").error() ==
          "error loading config file \"/x/c\": duplicate name \"a\" in users");
  }
}

TEST_CASE("load_kubeconfig")
{
  const std::string dir = fixture("kubeconfig");

  SUBCASE("--kubeconfig alone: a missing file is an error, $KUBECONFIG is ignored")
  {
    auto env = fake_env({ { "KUBECONFIG", dir + "/auth-methods.yaml" } });
    CHECK(load_kubeconfig(dir + "/nope.yaml", env).error() ==
          "stat " + dir + "/nope.yaml: no such file or directory");
  }
  SUBCASE("$KUBECONFIG: first file wins, missing files skipped, duplicates dropped")
  {
    auto env =
      fake_env({ { "KUBECONFIG", dir + "/missing.yaml:" + dir + "/auth-methods.yaml:" + dir +
                                   "/sub/second.yaml:" + dir + "/auth-methods.yaml" } });
    auto config = load_kubeconfig("", env);
    REQUIRE(config);
    CHECK(config->current_context == "cert-files");
    CHECK(config->users.at("token").token.reveal() == "static-token");
    CHECK(config->contexts.at("extra").namespace_name == "from-second");
    CHECK(config->clusters.at("extra").certificate_authority == dir + "/certs/ca.crt");
    CHECK(config->files ==
          std::vector<std::string>{ dir + "/auth-methods.yaml", dir + "/sub/second.yaml" });
  }
  SUBCASE("else ~/.kube/config, and nothing at all is an empty config")
  {
    auto config = load_kubeconfig("", fake_env({ { "HOME", dir + "/no-home" } }));
    REQUIRE(config);
    CHECK(config->empty());
  }
}
