#include "core/error.hpp"
#include "kube/client_config.hpp"
#include "kube/credentials.hpp"
#include "kube/exec_plugin.hpp"
#include "kube_fakes.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using kpg::GlobalOptions;
using kpg::kube::load_rest_config;
using kpg::test::fake_env;
using kpg::test::fixture;

namespace {

GlobalOptions with_file(const std::string& file, const std::string& context = {})
{
  GlobalOptions options;
  options.kubeconfig = fixture("kubeconfig/" + file);
  options.context = context;
  return options;
}

std::string load_error(const GlobalOptions& options, const kpg::EnvLookup& env = fake_env({}))
{
  kpg::test::FakeClock clock;
  try {
    load_rest_config(options, env, clock);
  } catch (const kpg::UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

TEST_CASE("load_rest_config")
{
  kpg::test::FakeClock clock;
  const auto env = fake_env({});
  const std::string dir = fixture("kubeconfig");

  SUBCASE("client certificate files: PEM read into memory, CA from the file, context namespace")
  {
    auto config = load_rest_config(with_file("auth-methods.yaml"), env, clock);
    CHECK(config.server == "https://10.0.0.1:6443");
    CHECK(config.ca_pem == "-----BEGIN CERTIFICATE-----\nfixture-ca\n-----END CERTIFICATE-----\n");
    CHECK(config.ca_origin ==
          "certificate-authority file " + dir + "/certs/ca.crt (cluster \"files\")");
    CHECK(config.namespace_name == "db");
    CHECK(config.context_name == "cert-files");
    CHECK(config.user_name == "cert-files");
    auto credential = config.credentials->current();
    CHECK(credential.client_cert_pem.reveal() ==
          "-----BEGIN CERTIFICATE-----\nfixture-client\n-----END CERTIFICATE-----\n");
    CHECK(credential.client_key_pem.reveal() ==
          "-----BEGIN PRIVATE KEY-----\nfixture-key\n-----END PRIVATE KEY-----\n");
    CHECK(credential.bearer_token.empty());
  }
  SUBCASE("inline certificate data, tls-server-name, proxy-url")
  {
    auto config = load_rest_config(with_file("auth-methods.yaml", "cert-inline"), env, clock);
    CHECK(config.tls_server_name == "kubernetes.default");
    CHECK(config.proxy_url == "http://proxy.example:3128");
    CHECK(config.ca_origin ==
          "certificate-authority-data of cluster \"inline\" in " + dir + "/auth-methods.yaml");
    CHECK(config.namespace_name == "default");
    CHECK(config.credentials->current().client_key_pem.reveal() ==
          "-----BEGIN PRIVATE KEY-----\nfixture-key\n-----END PRIVATE KEY-----\n");
  }
  SUBCASE("static token, and --token overrides it")
  {
    auto options = with_file("auth-methods.yaml", "token");
    CHECK(load_rest_config(options, env, clock).credentials->current().bearer_token.reveal() ==
          "static-token");
    options.token = "flag-token";
    CHECK(load_rest_config(options, env, clock).credentials->current().bearer_token.reveal() ==
          "flag-token");
  }
  SUBCASE("tokenFile is read through a TokenFileCredentialSource")
  {
    auto config = load_rest_config(with_file("auth-methods.yaml", "token-file"), env, clock);
    CHECK(dynamic_cast<kpg::kube::TokenFileCredentialSource*>(config.credentials.get()));
    CHECK(config.credentials->current().bearer_token.reveal() == "file-token");
  }
  SUBCASE("exec user gets an exec plugin source")
  {
    auto config = load_rest_config(with_file("auth-methods.yaml", "exec"), env, clock);
    CHECK(dynamic_cast<kpg::kube::ExecCredentialSource*>(config.credentials.get()));
  }
  SUBCASE("credentials are never attached to a plain-http server")
  {
    auto config = load_rest_config(with_file("auth-methods.yaml", "http-token"), env, clock);
    CHECK(config.server == "http://127.0.0.1:8080");
    CHECK(config.credentials == nullptr);
  }
  SUBCASE("flags: -n, --cluster, --user, --server, --request-timeout")
  {
    auto options = with_file("auth-methods.yaml");
    options.namespace_name = "flag-ns";
    options.cluster = "inline";
    options.user = "token";
    options.server = "https://override:443/";
    options.request_timeout = "1m30s";
    auto config = load_rest_config(options, env, clock);
    CHECK(config.namespace_name == "flag-ns");
    CHECK(config.server == "https://override:443");
    CHECK(config.tls_server_name.empty()); // --server drops the cluster's tls-server-name
    CHECK(config.credentials->current().bearer_token.reveal() == "static-token");
    CHECK(config.request_timeout == std::chrono::milliseconds(90000));
  }
  SUBCASE("--server and --token work without any kubeconfig")
  {
    GlobalOptions options;
    options.server = "https://10.1.1.1:6443";
    options.token = "t";
    auto config = load_rest_config(options, fake_env({ { "HOME", dir + "/no-home" } }), clock);
    CHECK(config.server == "https://10.1.1.1:6443");
    CHECK(config.credentials->current().bearer_token.reveal() == "t");
    CHECK(config.namespace_name == "default");
  }
}

TEST_CASE("load_rest_config TLS and client certificate flags")
{
  kpg::test::FakeClock clock;
  const auto env = fake_env({});
  const std::string dir = fixture("kubeconfig");
  const std::string fixture_ca =
    "-----BEGIN CERTIFICATE-----\nfixture-ca\n-----END CERTIFICATE-----\n";

  SUBCASE("--insecure-skip-tls-verify clears the kubeconfig's CA")
  {
    auto options = with_file("auth-methods.yaml", "cert-inline");
    options.insecure_skip_tls_verify = true;
    auto config = load_rest_config(options, env, clock);
    CHECK(config.insecure_skip_tls_verify);
    CHECK(config.ca_pem.empty());
  }
  SUBCASE("--certificate-authority replaces certificate-authority-data and the insecure flag")
  {
    auto options = with_file("malformed.yaml", "ca-insecure");
    options.certificate_authority = dir + "/certs/ca.crt";
    auto config = load_rest_config(options, env, clock);
    CHECK_FALSE(config.insecure_skip_tls_verify);
    CHECK(config.ca_pem == fixture_ca);
    CHECK(config.ca_origin == "--certificate-authority file " + dir + "/certs/ca.crt");
  }
  SUBCASE("--tls-server-name wins over the cluster's, also with --server")
  {
    auto options = with_file("auth-methods.yaml", "cert-inline");
    options.tls_server_name = "api.internal";
    CHECK(load_rest_config(options, env, clock).tls_server_name == "api.internal");
    options.server = "https://10.9.9.9:6443";
    CHECK(load_rest_config(options, env, clock).tls_server_name == "api.internal");
  }
  SUBCASE("--client-certificate and --client-key replace the user's inline data")
  {
    auto options = with_file("auth-methods.yaml", "cert-inline");
    options.client_certificate = dir + "/certs/ca.crt";
    options.client_key = dir + "/certs/client.key";
    auto credential = load_rest_config(options, env, clock).credentials->current();
    CHECK(credential.client_cert_pem.reveal() == fixture_ca);
    CHECK(credential.client_key_pem.reveal() ==
          "-----BEGIN PRIVATE KEY-----\nfixture-key\n-----END PRIVATE KEY-----\n");
  }
  SUBCASE("--client-certificate turns a token user into a certificate user as well")
  {
    auto options = with_file("auth-methods.yaml", "token");
    options.client_certificate = dir + "/certs/client.crt";
    options.client_key = dir + "/certs/client.key";
    auto credential = load_rest_config(options, env, clock).credentials->current();
    CHECK(credential.bearer_token.reveal() == "static-token");
    CHECK_FALSE(credential.client_cert_pem.empty());
  }
}

TEST_CASE("load_rest_config TLS and client certificate flag errors")
{
  const std::string dir = fixture("kubeconfig");
  auto options = with_file("auth-methods.yaml", "cert-inline");
  SUBCASE("--certificate-authority with --insecure-skip-tls-verify")
  {
    options.insecure_skip_tls_verify = true;
    options.certificate_authority = dir + "/certs/ca.crt";
    CHECK(load_error(options) ==
          "specifying a root certificates file with the insecure flag is not allowed");
  }
  SUBCASE("a --certificate-authority that cannot be read")
  {
    options.certificate_authority = dir + "/certs/none.crt";
    CHECK(load_error(options) == "invalid configuration: unable to read certificate-authority " +
                                   dir + "/certs/none.crt for inline due to open " + dir +
                                   "/certs/none.crt: no such file or directory");
  }
  SUBCASE("--client-certificate without any key")
  {
    options = with_file("auth-methods.yaml", "token");
    options.client_certificate = dir + "/certs/client.crt";
    CHECK(load_error(options) ==
          "invalid configuration: client-key-data or client-key must be specified for token to "
          "use the clientCert authentication method.");
  }
  SUBCASE("a --client-key that cannot be read")
  {
    options.client_key = dir + "/certs/none.key";
    CHECK(load_error(options) == "invalid configuration: unable to read client-key " + dir +
                                   "/certs/none.key for cert-inline due to open " + dir +
                                   "/certs/none.key: no such file or directory");
  }
}

TEST_CASE("load_rest_config impersonation")
{
  kpg::test::FakeClock clock;
  const auto env = fake_env({});

  SUBCASE("the kubeconfig user's as, as-uid, as-groups and as-user-extra")
  {
    auto config = load_rest_config(with_file("auth-methods.yaml", "impersonating"), env, clock);
    CHECK(config.impersonation.user_name == "jane");
    CHECK(config.impersonation.uid == "uid-1");
    CHECK(config.impersonation.groups == std::vector<std::string>{ "devs", "ops" });
    CHECK(config.impersonation.extra ==
          std::map<std::string, std::vector<std::string>>{ { "acme.com/project", { "pg" } } });
  }
  SUBCASE("each flag overrides its own field only")
  {
    auto options = with_file("auth-methods.yaml", "impersonating");
    options.impersonate_user = "bob";
    auto config = load_rest_config(options, env, clock);
    CHECK(config.impersonation.user_name == "bob");
    CHECK(config.impersonation.uid == "uid-1");
    CHECK(config.impersonation.groups == std::vector<std::string>{ "devs", "ops" });
    options.impersonate_groups = { "admins" };
    options.impersonate_uid = "uid-2";
    config = load_rest_config(options, env, clock);
    CHECK(config.impersonation.groups == std::vector<std::string>{ "admins" });
    CHECK(config.impersonation.uid == "uid-2");
  }
  SUBCASE("flags on a user without impersonation, also over plain http")
  {
    auto options = with_file("auth-methods.yaml", "http-token");
    options.impersonate_user = "system:serviceaccount:db:reader";
    options.impersonate_groups = { "a", "b" };
    auto config = load_rest_config(options, env, clock);
    CHECK(config.impersonation.user_name == "system:serviceaccount:db:reader");
    CHECK(config.impersonation.groups == std::vector<std::string>{ "a", "b" });
  }
}

TEST_CASE("load_rest_config errors")
{
  const std::string dir = fixture("kubeconfig");
  auto malformed = [](const std::string& context) { return with_file("malformed.yaml", context); };

  CHECK(load_error(with_file("auth-methods.yaml", "nope")) == "context \"nope\" does not exist");
  {
    auto options = with_file("auth-methods.yaml");
    options.user = "nobody";
    CHECK(load_error(options) == "auth info \"nobody\" does not exist");
    options = with_file("auth-methods.yaml");
    options.cluster = "nowhere";
    CHECK(load_error(options) == "cluster \"nowhere\" does not exist");
  }
  CHECK(load_error(malformed("two-methods")) ==
        "invalid configuration: more than one authentication method found for two-methods; "
        "found [token basicAuth], only one is allowed");
  CHECK(load_error(malformed("cert-no-key")) ==
        "invalid configuration: client-key-data or client-key must be specified for "
        "cert-no-key to use the clientCert authentication method.");
  CHECK(load_error(malformed("cert-both")) ==
        "invalid configuration: client-cert-data and client-cert are both specified for "
        "cert-both. client-cert-data will override.");
  CHECK(load_error(malformed("cert-missing-file")) ==
        "invalid configuration: unable to read client-cert " + dir +
          "/certs/missing.crt for cert-missing-file due to open " + dir +
          "/certs/missing.crt: no such file or directory");
  CHECK(load_error(malformed("ca-both")) ==
        "invalid configuration: certificate-authority-data and certificate-authority are both "
        "specified for ca-both. certificate-authority-data will override.");
  CHECK(load_error(malformed("ca-missing")) ==
        "invalid configuration: unable to read certificate-authority " + dir +
          "/certs/missing-ca.crt for ca-missing due to open " + dir +
          "/certs/missing-ca.crt: no such file or directory");
  CHECK(load_error(malformed("ca-insecure")) ==
        "specifying a root certificates file with the insecure flag is not allowed");
  CHECK(load_error(malformed("no-server")) ==
        "invalid configuration: no server found for cluster \"no-server\"");
  CHECK(load_error(malformed("bad-proxy")) ==
        "invalid configuration: invalid 'proxy-url' \"ftp://proxy.example\" for cluster "
        "\"bad-proxy\": unsupported scheme \"ftp\", must be http, https, or socks5");
  CHECK(load_error(malformed("basic-auth")) ==
        "user \"basic-auth\" uses basic authentication (username/password), which Kubernetes "
        "removed in 1.19 and kubectl-pg does not send; use a token, a client certificate or an "
        "exec plugin");
  CHECK(load_error(malformed("auth-provider")) ==
        "user \"auth-provider\" uses an auth-provider, which kubectl removed in 1.26; use an "
        "exec credential plugin instead (gke-gcloud-auth-plugin, kubelogin, aws eks get-token)");
  CHECK(load_error(malformed("exec-no-mode")) ==
        "invalid configuration: interactiveMode must be specified for exec-no-mode to use exec "
        "authentication plugin");
  CHECK(load_error(malformed("exec-bad-mode")) ==
        "invalid configuration: invalid interactiveMode for exec-bad-mode: \"Sometimes\"");
  CHECK(load_error(malformed("exec-incomplete")) ==
        "invalid configuration: [command must be specified for exec-incomplete to use exec "
        "authentication plugin, apiVersion must be specified for exec-incomplete to use exec "
        "authentication plugin, env variable name must be specified for exec-incomplete to use "
        "exec authentication plugin]");
  CHECK(load_error(malformed("dangling-user")) == "(no error)"); // client-go: anonymous
  CHECK(load_error(malformed("")) == "invalid configuration: no configuration has been provided: "
                                     "no kubeconfig was found (--kubeconfig and $KUBECONFIG are "
                                     "unset and ~/.kube/config does not exist) and this is not a "
                                     "pod (KUBERNETES_SERVICE_HOST is unset); pass --kubeconfig, "
                                     "set KUBECONFIG, or give --server");
  {
    auto options = with_file("auth-methods.yaml");
    options.request_timeout = "soon";
    CHECK(load_error(options) ==
          "Invalid timeout value. Timeout must be a single integer in seconds, or an integer "
          "followed by a corresponding time unit (e.g. 1s | 2m | 3h)");
  }
}

TEST_CASE("load_rest_config in-cluster")
{
  kpg::test::FakeClock clock;
  const auto dir = std::filesystem::temp_directory_path() / "kpg-test-in-cluster";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "sa-token\n";
  std::ofstream(dir / "ca.crt") << "CA";
  std::ofstream(dir / "namespace") << "ci-ns\n";
  kpg::kube::LoadOptions load;
  load.service_account_dir = dir.string();
  const auto env = fake_env({ { "HOME", "/nonexistent" },
                              { "KUBERNETES_SERVICE_HOST", "fd00::1" },
                              { "KUBERNETES_SERVICE_PORT", "443" } });

  SUBCASE("server, token file, CA and namespace file")
  {
    auto config = load_rest_config(GlobalOptions{}, env, clock, load);
    CHECK(config.server == "https://[fd00::1]:443");
    CHECK(config.ca_pem == "CA");
    CHECK(config.namespace_name == "ci-ns");
    CHECK(config.credentials->current().bearer_token.reveal() == "sa-token");
  }
  SUBCASE("--as, --as-group and --certificate-authority apply in a pod too")
  {
    GlobalOptions options;
    options.impersonate_user = "jane";
    options.impersonate_groups = { "devs" };
    options.certificate_authority = fixture("kubeconfig/certs/ca.crt");
    auto config = load_rest_config(options, env, clock, load);
    CHECK(config.impersonation.user_name == "jane");
    CHECK(config.impersonation.groups == std::vector<std::string>{ "devs" });
    CHECK(config.ca_origin == "--certificate-authority file " + options.certificate_authority);
  }
  SUBCASE("-n wins over the namespace file")
  {
    GlobalOptions options;
    options.namespace_name = "other";
    CHECK(load_rest_config(options, env, clock, load).namespace_name == "other");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("parse_request_timeout")
{
  using kpg::kube::parse_request_timeout;
  using std::chrono::milliseconds;
  CHECK(parse_request_timeout("0") == milliseconds(0));
  CHECK(parse_request_timeout("30") == milliseconds(30000));
  CHECK(parse_request_timeout("2m") == milliseconds(120000));
  CHECK(parse_request_timeout("1h2m3s") == milliseconds(3723000));
  CHECK(parse_request_timeout("500ms") == milliseconds(500));
  CHECK(parse_request_timeout("1.5s") == milliseconds(1500));
  CHECK_THROWS_AS(parse_request_timeout("3d"), kpg::UsageError);
}
