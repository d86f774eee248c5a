#include "kube/exec_plugin.hpp"

#include "core/error.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <map>
#include <spawn.h>
#include <unistd.h>
#include <vector>

extern char** environ; // NOLINT: the process environment, handed to the plugin

namespace kpg::kube {

namespace {

constexpr const char* k_install_help =
  "\n\nIt looks like you are trying to use a client-go credential plugin that is not installed.\n"
  "\nTo learn more about this feature, consult the documentation available at:\n"
  "      https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
  "#client-go-credential-plugins";

class UniqueFd
{
public:
  explicit UniqueFd(int fd = -1)
    : m_fd(fd)
  {
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd()
  {
    reset();
  }
  int get() const
  {
    return m_fd;
  }
  void reset()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
      m_fd = -1;
    }
  }

private:
  int m_fd;
};

class SpawnFileActions
{
public:
  SpawnFileActions()
  {
    posix_spawn_file_actions_init(&m_actions);
  }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  ~SpawnFileActions()
  {
    posix_spawn_file_actions_destroy(&m_actions);
  }
  posix_spawn_file_actions_t* get()
  {
    return &m_actions;
  }

private:
  posix_spawn_file_actions_t m_actions{};
};

struct PluginRun
{
  int spawn_error = 0; // errno of posix_spawnp; 0: it started
  int exit_code = 0;   // -1: killed by a signal
  std::string stdout_text;
};

// Runs `argv` with `env`; stdout captured, stderr inherited, stdin inherited
// only when `connect_stdin`.
PluginRun run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                      bool connect_stdin)
{
  PluginRun run;
  std::array<int, 2> pipe_fds{ -1, -1 };
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    run.spawn_error = errno;
    return run;
  }
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  SpawnFileActions actions;
  posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), STDOUT_FILENO);
  if (!connect_stdin) {
    posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  std::vector<char*> c_argv;
  for (const auto& arg : argv) {
    c_argv.push_back(const_cast<char*>(arg.c_str()));
  }
  c_argv.push_back(nullptr);
  std::vector<char*> c_env;
  for (const auto& entry : env) {
    c_env.push_back(const_cast<char*>(entry.c_str()));
  }
  c_env.push_back(nullptr);
  pid_t pid = 0;
  run.spawn_error =
    posix_spawnp(&pid, c_argv[0], actions.get(), nullptr, c_argv.data(), c_env.data());
  write_end.reset();
  if (run.spawn_error != 0) {
    return run;
  }
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = ::read(read_end.get(), buffer.data(), buffer.size());
    if (n > 0) {
      run.stdout_text.append(buffer.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::vector<std::string> plugin_environment(const ExecConfig& config, const std::string& exec_info)
{
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string_view::npos) {
      vars[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
    }
  }
  for (const auto& var : config.env) {
    vars[var.name] = var.value;
  }
  vars["KUBERNETES_EXEC_INFO"] = exec_info;
  std::vector<std::string> env;
  env.reserve(vars.size());
  for (const auto& [name, value] : vars) {
    env.push_back(name + "=" + value);
  }
  return env;
}

std::string json_text(const nlohmann::json& object, const char* key)
{
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text)
{
  std::tm tm{};
  int consumed = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      rest.remove_prefix(1); // sub-second precision does not matter for expiry
    }
  }
  long offset_seconds = 0;
  if (rest == "Z" || rest == "z") {
    offset_seconds = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int hours = 0;
    int minutes = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &hours, &minutes) != 2) {
      return std::nullopt;
    }
    offset_seconds = (hours * 3600L + minutes * 60L) * (rest[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const std::time_t utc = timegm(&tm) - offset_seconds;
  return std::chrono::system_clock::from_time_t(utc);
}

ExecCredentialSource::ExecCredentialSource(ExecConfig config, std::string user_name,
                                           nlohmann::json cluster_info,
                                           StdinIsTerminal stdin_is_terminal, Clock& clock)
  : m_config(std::move(config))
  , m_user_name(std::move(user_name))
  , m_cluster_info(std::move(cluster_info))
  , m_stdin_is_terminal(stdin_is_terminal)
  , m_clock(clock)
{
}

CredentialSource::Credential ExecCredentialSource::current()
{
  const std::lock_guard lock(m_mutex);
  if (m_cached && (!m_expiry || m_clock.wall_now() < *m_expiry)) {
    return *m_cached;
  }
  try {
    m_cached = run_plugin();
  } catch (const Error& e) {
    throw Error(fmt::format("getting credentials for user \"{}\": {}", m_user_name, e.what()),
                ExitCode::unreachable);
  }
  return *m_cached;
}

void ExecCredentialSource::invalidate()
{
  const std::lock_guard lock(m_mutex);
  m_cached.reset();
  m_expiry.reset();
}

bool ExecCredentialSource::interactive() const
{
  const bool terminal = m_stdin_is_terminal == StdinIsTerminal::yes;
  if (m_config.interactive_mode == "Always") {
    if (!terminal) {
      throw Error("exec plugin cannot support interactive mode: standard input is not a terminal");
    }
    return true;
  }
  return m_config.interactive_mode == "IfAvailable" && terminal;
}

CredentialSource::Credential ExecCredentialSource::run_plugin()
{
  const std::string& version = m_config.api_version;
  if (version != "client.authentication.k8s.io/v1" &&
      version != "client.authentication.k8s.io/v1beta1") {
    throw Error(fmt::format("exec plugin: invalid apiVersion \"{}\"", version));
  }
  const bool is_interactive = interactive();
  nlohmann::json info = { { "kind", "ExecCredential" },
                          { "apiVersion", version },
                          { "spec", { { "interactive", is_interactive } } } };
  if (m_config.provide_cluster_info && !m_cluster_info.is_null()) {
    info["spec"]["cluster"] = m_cluster_info;
  }
  std::vector<std::string> argv{ m_config.command };
  argv.insert(argv.end(), m_config.args.begin(), m_config.args.end());
  ++m_runs;
  const PluginRun run =
    run_process(argv, plugin_environment(m_config, info.dump()), is_interactive);
  if (run.spawn_error == ENOENT || run.spawn_error == EACCES) {
    std::string message =
      fmt::format("exec: executable {} not found{}", m_config.command, k_install_help);
    if (!m_config.install_hint.empty()) {
      message += "\n\n" + m_config.install_hint;
    }
    throw Error(message);
  }
  if (run.spawn_error != 0) {
    throw Error(fmt::format("exec: {}", std::strerror(run.spawn_error)));
  }
  if (run.exit_code != 0) {
    throw Error(
      fmt::format("exec: executable {} failed with exit code {}", m_config.command, run.exit_code));
  }
  const auto doc = nlohmann::json::parse(run.stdout_text, nullptr, false);
  if (!doc.is_object()) {
    throw Error("decoding stdout: the plugin did not print an ExecCredential JSON object");
  }
  if (json_text(doc, "apiVersion") != version) {
    throw Error(fmt::format("exec plugin is configured to use API version {}, plugin returned "
                            "version {}",
                            version, json_text(doc, "apiVersion")));
  }
  const auto status = doc.find("status");
  if (status == doc.end() || !status->is_object()) {
    throw Error("exec plugin didn't return a status field");
  }
  Credential credential;
  credential.bearer_token = SecretString(json_text(*status, "token"));
  credential.client_cert_pem = SecretString(json_text(*status, "clientCertificateData"));
  credential.client_key_pem = SecretString(json_text(*status, "clientKeyData"));
  if (credential.bearer_token.empty() && credential.client_cert_pem.empty() &&
      credential.client_key_pem.empty()) {
    throw Error("exec plugin didn't return a token or cert/key pair");
  }
  if (credential.client_cert_pem.empty() != credential.client_key_pem.empty()) {
    throw Error("exec plugin returned only certificate or key, not both");
  }
  m_expiry.reset();
  if (const std::string expiry = json_text(*status, "expirationTimestamp"); !expiry.empty()) {
    m_expiry = parse_rfc3339(expiry);
    if (!m_expiry) {
      throw Error(fmt::format("decoding stdout: status.expirationTimestamp \"{}\" is not an RFC "
                              "3339 time",
                              expiry));
    }
  }
  return credential;
}

} // namespace kpg::kube
