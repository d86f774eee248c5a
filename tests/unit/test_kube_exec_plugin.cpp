#include "core/error.hpp"
#include "kube/exec_plugin.hpp"
#include "kube_fakes.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

using kpg::kube::ExecConfig;
using kpg::kube::ExecCredentialSource;
using kpg::kube::StdinIsTerminal;
using kpg::test::FakeClock;

namespace {

struct PluginFixture
{
  std::filesystem::path log =
    std::filesystem::temp_directory_path() / ("kpg-exec-plugin-" + std::to_string(::getpid()));
  FakeClock clock;

  PluginFixture()
  {
    std::filesystem::remove(log);
    clock.set_wall(std::chrono::system_clock::from_time_t(1'900'000'000)); // 2030-03-17
  }
  ~PluginFixture()
  {
    std::filesystem::remove(log);
  }
  ExecConfig config(const std::string& mode, std::vector<ExecConfig::EnvVar> extra = {}) const
  {
    ExecConfig exec;
    exec.api_version = "client.authentication.k8s.io/v1";
    exec.command = kpg::test::fixture("kubeconfig/plugins/get-token");
    exec.interactive_mode = "Never";
    exec.env = { { "PLUGIN_MODE", mode }, { "PLUGIN_LOG", log.string() } };
    exec.env.insert(exec.env.end(), extra.begin(), extra.end());
    exec.install_hint = "Install it with: apt install get-token";
    return exec;
  }
  std::vector<std::string> runs() const
  {
    std::ifstream in(log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
    }
    return lines;
  }
  std::string error_of(ExecConfig exec, StdinIsTerminal tty = StdinIsTerminal::no)
  {
    ExecCredentialSource source(std::move(exec), "ci", nullptr, tty, clock);
    try {
      source.current();
    } catch (const kpg::Error& e) {
      CHECK(e.code() == kpg::ExitCode::unreachable);
      return e.what();
    }
    return "(no error)";
  }
};

} // namespace

TEST_CASE("ExecCredentialSource::current")
{
  PluginFixture f;

  SUBCASE("a token, cached until invalidate(), with KUBERNETES_EXEC_INFO")
  {
    ExecCredentialSource source(f.config("token"), "ci", nullptr, StdinIsTerminal::no, f.clock);
    CHECK(source.current().bearer_token.reveal() == "tok-1");
    CHECK(source.current().bearer_token.reveal() == "tok-1");
    CHECK(source.runs() == 1);
    CHECK(
      f.runs().at(0) ==
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}})");
    source.invalidate();
    CHECK(source.current().bearer_token.reveal() == "tok-2");
  }
  SUBCASE("thread-safe: 8 threads asking at once share one run of the plugin")
  {
    ExecCredentialSource source(f.config("token"), "ci", nullptr, StdinIsTerminal::no, f.clock);
    std::vector<std::string> tokens(8);
    {
      std::vector<std::jthread> threads;
      for (auto& token : tokens) {
        threads.emplace_back([&source, &token] { token = source.current().bearer_token.reveal(); });
      }
    }
    CHECK(tokens == std::vector<std::string>(8, "tok-1"));
    CHECK(source.runs() == 1);
    CHECK(f.runs().size() == 1);
  }
  SUBCASE("cached until expirationTimestamp, then run again")
  {
    ExecCredentialSource source(f.config("token", { { "PLUGIN_EXPIRY", "2030-03-17T18:00:00Z" } }),
                                "ci", nullptr, StdinIsTerminal::no, f.clock);
    CHECK(source.current().bearer_token.reveal() == "tok-1"); // wall clock 17:46:40Z
    f.clock.advance(std::chrono::minutes(10));
    CHECK(source.current().bearer_token.reveal() == "tok-1");
    f.clock.advance(std::chrono::minutes(5));
    CHECK(source.current().bearer_token.reveal() == "tok-2");
  }
  SUBCASE("a client certificate, and provideClusterInfo passes the cluster")
  {
    auto exec = f.config("cert");
    exec.provide_cluster_info = true;
    ExecCredentialSource source(exec, "ci", { { "server", "https://10.0.0.1:6443" } },
                                StdinIsTerminal::no, f.clock);
    const auto credential = source.current();
    CHECK(credential.client_cert_pem.reveal() ==
          "-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----\n");
    CHECK(credential.client_key_pem.reveal() ==
          "-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n");
    CHECK(
      f.runs().at(0) ==
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"cluster":{"server":"https://10.0.0.1:6443"},"interactive":false}})");
  }
  SUBCASE("interactive modes")
  {
    auto exec = f.config("token");
    exec.interactive_mode = "IfAvailable";
    ExecCredentialSource on_tty(exec, "ci", nullptr, StdinIsTerminal::yes, f.clock);
    on_tty.current();
    CHECK(f.runs().back().find(R"("interactive":true)") != std::string::npos);
    exec.interactive_mode = "Always";
    CHECK(f.error_of(exec) ==
          "getting credentials for user \"ci\": exec plugin cannot support interactive mode: "
          "standard input is not a terminal");
  }
  SUBCASE("v1beta1 plugins answer v1beta1")
  {
    auto exec = f.config("token", { { "PLUGIN_VERSION", "client.authentication.k8s.io/v1beta1" } });
    exec.api_version = "client.authentication.k8s.io/v1beta1";
    ExecCredentialSource source(exec, "ci", nullptr, StdinIsTerminal::no, f.clock);
    CHECK(source.current().bearer_token.reveal() == "tok-1");
  }
  SUBCASE("failures are worded as client-go's")
  {
    const std::string prefix = "getting credentials for user \"ci\": ";
    CHECK(f.error_of(f.config("fail")) ==
          prefix + "exec: executable " + f.config("fail").command + " failed with exit code 3");
    CHECK(f.error_of(f.config("garbage")) ==
          prefix + "decoding stdout: the plugin did not print an ExecCredential JSON object");
    CHECK(f.error_of(f.config("no-status")) == prefix + "exec plugin didn't return a status field");
    CHECK(f.error_of(f.config("empty-status")) ==
          prefix + "exec plugin didn't return a token or cert/key pair");
    CHECK(f.error_of(f.config("only-cert")) ==
          prefix + "exec plugin returned only certificate or key, not both");
    CHECK(f.error_of(
            f.config("token", { { "PLUGIN_VERSION", "client.authentication.k8s.io/v1beta1" } })) ==
          prefix + "exec plugin is configured to use API version "
                   "client.authentication.k8s.io/v1, plugin returned version "
                   "client.authentication.k8s.io/v1beta1");
    auto alpha = f.config("token");
    alpha.api_version = "client.authentication.k8s.io/v1alpha1";
    CHECK(f.error_of(alpha) ==
          prefix + "exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\"");
    auto missing = f.config("token");
    missing.command = "kpg-no-such-plugin";
    CHECK(f.error_of(missing) ==
          prefix + "exec: executable kpg-no-such-plugin not found\n\nIt looks like you are "
                   "trying to use a client-go credential plugin that is not installed.\n\nTo "
                   "learn more about this feature, consult the documentation available at:\n"
                   "      https://kubernetes.io/docs/reference/access-authn-authz/"
                   "authentication/#client-go-credential-plugins\n\nInstall it with: apt "
                   "install get-token");
  }
}

TEST_CASE("parse_rfc3339")
{
  using kpg::kube::parse_rfc3339;
  CHECK(parse_rfc3339("1970-01-01T00:01:00Z") == std::chrono::system_clock::from_time_t(60));
  CHECK(parse_rfc3339("1970-01-01T01:01:00.123+01:00") ==
        std::chrono::system_clock::from_time_t(60));
  CHECK_FALSE(parse_rfc3339("yesterday"));
  CHECK_FALSE(parse_rfc3339("1970-01-01T00:01:00"));
}
