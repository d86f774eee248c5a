#pragma once
// Starts tests/integration/kube/api_server.py (Debian's python3) in a fresh
// temporary directory, waits for its ready.json (poll with a deadline), and
// stops it on destruction. Writes kubeconfig files that point at it.

#include "core/clock.hpp"
#include "kube/client_config.hpp"
#include "kube/curl_transport.hpp"
#include "kube/rest_client.hpp"

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include <map>
#include <string>

namespace kpg::test {

class ApiServer
{
public:
  ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;
  ~ApiServer();

  std::string url() const; // https://127.0.0.1:<port>
  std::string expired_url() const;
  std::string tls12_url() const;
  const std::string& dir() const
  {
    return m_dir;
  }
  // Writes DIR/<name>.yaml: one cluster at `server` with `cluster_extra`
  // lines (indented 4) and one user with `user_lines` (indented 4).
  std::string kubeconfig(const std::string& name, const std::string& server,
                         const std::string& cluster_extra, const std::string& user_lines) const;
  nlohmann::json stats() const;
  // An EnvLookup over `vars` only.
  static EnvLookup env_of(std::map<std::string, std::string> vars);
  void control(const nlohmann::json& settings) const;

private:
  nlohmann::json hook(const std::string& method, const std::string& path,
                      const std::string& body) const;

  std::string m_dir;
  pid_t m_pid = -1;
  int m_port = 0;
  int m_expired_port = 0;
  int m_tls12_port = 0;
};

// A RestConfig, transport and client from a kubeconfig, as a command builds them.
struct Connection
{
  explicit Connection(const std::string& kubeconfig, const EnvLookup& env = {});
  SystemClock clock;
  kube::RestConfig config;
  kube::CurlTransport transport;
  kube::RestClient client;
};

} // namespace kpg::test
