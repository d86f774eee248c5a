#pragma once
// Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1): the
// kubeconfig names a command (aws, gke-gcloud-auth-plugin, kubelogin, ...)
// that prints an ExecCredential with a token or a client certificate.
//
// Protocol (client-go plugin/pkg/client/auth/exec/exec.go; K8S_API.md 1.3):
//   - the plugin runs with this process's environment plus exec.env plus
//     KUBERNETES_EXEC_INFO={"kind":"ExecCredential","apiVersion":<v>,
//     "spec":{"interactive":<bool>[,"cluster":{...}]}} (cluster only with
//     provideClusterInfo);
//   - stdin is connected only when interactive: interactiveMode Never: no;
//     IfAvailable: when stdin is a terminal; Always: required, else an error;
//   - stderr passes through; stdout must hold an ExecCredential of the same
//     apiVersion with status.token or status.clientCertificateData +
//     clientKeyData (plain PEM), optionally status.expirationTimestamp;
//   - the credential is cached until expirationTimestamp (forever without one)
//     and dropped by invalidate() after a 401.
// Failures throw kpg::Error (exit code 4) worded as client-go's, prefixed with
// `getting credentials for user "<name>": `; a missing command adds the
// kubeconfig's installHint.

#include "core/clock.hpp"
#include "kube/kubeconfig.hpp"
#include "kube/rest_config.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace kpg::kube {

enum class StdinIsTerminal
{
  no,
  yes
};

// Thread-safe: current() and invalidate() are serialised by a lock, so requests
// that need a credential at the same time run the plugin once and share its answer.
class ExecCredentialSource : public CredentialSource
{
public:
  // `cluster_info` is the ExecCredential spec.cluster object (null: not provided).
  ExecCredentialSource(ExecConfig config, std::string user_name, nlohmann::json cluster_info,
                       StdinIsTerminal stdin_is_terminal, Clock& clock);
  Credential current() override;
  void invalidate() override;

  // How many times the plugin has run (tests, -v 9).
  int runs() const
  {
    const std::lock_guard lock(m_mutex);
    return m_runs;
  }

private:
  Credential run_plugin();
  bool interactive() const;

  mutable std::mutex m_mutex; // guards m_cached, m_expiry and m_runs
  ExecConfig m_config;
  std::string m_user_name;
  nlohmann::json m_cluster_info;
  StdinIsTerminal m_stdin_is_terminal;
  Clock& m_clock;
  std::optional<Credential> m_cached;
  std::optional<std::chrono::system_clock::time_point> m_expiry;
  int m_runs = 0;
};

// Parses an RFC 3339 timestamp ("2025-01-01T00:00:00Z", "...T01:00:00.5+01:00").
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

} // namespace kpg::kube
