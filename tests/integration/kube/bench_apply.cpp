// Benchmark (prints, asserts nothing): requests and TLS handshakes used to
// server-side apply the 12 objects of a small stack against api_server.py,
// with kubectl-pg's default client settings (QPS 5, burst 10).
// Run: build/tests/kube-apply-benchmark

#include "api_server.hpp"
#include "kube/resource_client.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <chrono>
#include <iostream>
#include <thread>

int main()
{
  kpg::test::ApiServer server;
  kpg::test::Connection c(
    server.kubeconfig("bench", server.url(), "certificate-authority: ca.crt",
                      "client-certificate: client.crt\nclient-key: client.key"));
  const std::vector<std::pair<std::string, std::string>> kinds = {
    { "v1", "ServiceAccount" },
    { "rbac.authorization.k8s.io/v1", "Role" },
    { "rbac.authorization.k8s.io/v1", "RoleBinding" },
    { "v1", "Secret" },
    { "v1", "ConfigMap" },
    { "v1", "ConfigMap" },
    { "v1", "Service" },
    { "v1", "Service" },
    { "v1", "Service" },
    { "apps/v1", "StatefulSet" },
    { "apps/v1", "Deployment" },
    { "policy/v1", "PodDisruptionBudget" }
  };
  const auto start = std::chrono::steady_clock::now();
  int index = 0;
  for (const auto& [api_version, kind] : kinds) {
    const nlohmann::json object = { { "apiVersion", api_version },
                                    { "kind", kind },
                                    { "metadata",
                                      { { "name", fmt::format("orders-{}", index++) } } } };
    kpg::kube::ResourceClient client(c.client, *kpg::kube::resource_for_object(object), "db");
    if (auto result = client.apply(object); !result) {
      std::cerr << result.error().text() << '\n';
      return 1;
    }
  }
  const auto elapsed =
    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  const auto client_stats = c.transport.stats();
  const auto server_stats = server.stats();
  utsname machine{};
  ::uname(&machine);
  std::cout << fmt::format(
    "kube-apply-benchmark: server-side apply of {} objects over HTTPS (client certificate)\n"
    "  requests sent:           {} (server counted {})\n"
    "  TCP+TLS connections:     {} (server counted {})\n"
    "  wall time:               {} ms (includes the client-side rate limit: QPS 5, burst 10)\n"
    "  machine: {} {} {}, {} hardware threads; server: tests/integration/kube/api_server.py\n",
    kinds.size(), client_stats.requests, server_stats["requests"].get<int>(),
    client_stats.connections, server_stats["connections"].get<int>(), elapsed.count(),
    machine.sysname, machine.release, machine.machine, std::thread::hardware_concurrency());
  return 0;
}
