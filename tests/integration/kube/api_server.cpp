#include "api_server.hpp"

#include "core/error.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ; // NOLINT: the server inherits the test's environment

namespace kpg::test {

namespace fs = std::filesystem;

ApiServer::ApiServer()
{
  std::string pattern = (fs::temp_directory_path() / "kpg-kube-https-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_dir = pattern;
  std::vector<std::string> args{ KPG_PYTHON, KPG_API_SERVER, "--dir", m_dir };
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  if (posix_spawn(&m_pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start " KPG_API_SERVER);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const fs::path ready = fs::path(m_dir) / "ready.json";
  while (!fs::exists(ready)) {
    if (std::chrono::steady_clock::now() > deadline || ::waitpid(m_pid, nullptr, WNOHANG) != 0) {
      throw std::runtime_error("api_server.py did not become ready");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // poll with a deadline
  }
  std::ifstream in(ready);
  const auto ports = nlohmann::json::parse(in);
  m_port = ports.at("port");
  m_expired_port = ports.at("expired_port");
  m_tls12_port = ports.at("tls12_port");
}

ApiServer::~ApiServer()
{
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    ::waitpid(m_pid, nullptr, 0);
  }
  std::error_code ec;
  fs::remove_all(m_dir, ec);
}

std::string ApiServer::url() const
{
  return fmt::format("https://127.0.0.1:{}", m_port);
}

std::string ApiServer::expired_url() const
{
  return fmt::format("https://127.0.0.1:{}", m_expired_port);
}

std::string ApiServer::tls12_url() const
{
  return fmt::format("https://127.0.0.1:{}", m_tls12_port);
}

std::string ApiServer::kubeconfig(const std::string& name, const std::string& server,
                                  const std::string& cluster_extra,
                                  const std::string& user_lines) const
{
  const auto indent = [](const std::string& lines) {
    std::string out;
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line);) {
      out += "    " + line + "\n";
    }
    return out;
  };
  const std::string path = m_dir + "/" + name + ".yaml";
  std::ofstream(path) << fmt::format("apiVersion: v1\nkind: Config\ncurrent-context: test\n"
                                     "clusters:\n- name: test\n  cluster:\n    server: {}\n{}"
                                     "users:\n- name: test\n  user:\n{}"
                                     "contexts:\n- name: test\n  context: {{cluster: test, user: "
                                     "test, namespace: db}}\n",
                                     server, indent(cluster_extra), indent(user_lines));
  return path;
}

nlohmann::json ApiServer::hook(const std::string& method, const std::string& path,
                               const std::string& body) const
{
  kube::RestConfig config;
  config.server = url();
  config.ca_pem = [&] {
    std::ifstream in(m_dir + "/ca.crt");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }();
  kube::CurlTransport transport(config, [](const std::string&) { return std::nullopt; });
  SystemClock clock;
  kube::RestClient client(config, transport, clock);
  kube::HttpRequest request;
  request.method = method;
  request.path = path;
  request.body = body;
  auto response = client.request(request);
  if (!response) {
    throw std::runtime_error(response.error().text());
  }
  return nlohmann::json::parse(response->body);
}

EnvLookup ApiServer::env_of(std::map<std::string, std::string> vars)
{
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

nlohmann::json ApiServer::stats() const
{
  return hook("GET", "/test/stats", "");
}

void ApiServer::control(const nlohmann::json& settings) const
{
  hook("POST", "/test/control", settings.dump());
}

Connection::Connection(const std::string& kubeconfig, const EnvLookup& env)
  : config([&] {
    GlobalOptions options;
    options.kubeconfig = kubeconfig;
    const EnvLookup no_env = [](const std::string&) { return std::nullopt; };
    return kube::load_rest_config(options, env ? env : no_env, clock);
  }())
  , transport(
      config,
      env ? env : [](const std::string&) -> std::optional<std::string> { return std::nullopt; })
  , client(config, transport, clock)
{
}

} // namespace kpg::test
