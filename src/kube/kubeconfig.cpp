#include "kube/kubeconfig.hpp"

#include "core/base64.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <yaml-cpp/yaml.h>

namespace kpg::kube {

namespace {

namespace fs = std::filesystem;

// Thrown inside the parser only; parse_kubeconfig turns it into an Expected.
class FormatError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

std::string scalar(const YAML::Node& map, const char* key, const std::string& where)
{
  const YAML::Node value = map[key];
  if (!value || value.IsNull()) {
    return {};
  }
  if (!value.IsScalar()) {
    throw FormatError(fmt::format("{}.{}: expected a string", where, key));
  }
  return value.Scalar();
}

bool boolean(const YAML::Node& map, const char* key, const std::string& where)
{
  const YAML::Node value = map[key];
  if (!value || value.IsNull()) {
    return false;
  }
  bool result = false;
  if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result)) {
    throw FormatError(fmt::format("{}.{}: expected true or false", where, key));
  }
  return result;
}

std::string data_field(const YAML::Node& map, const char* key, const std::string& where)
{
  const std::string text = scalar(map, key, where);
  if (text.empty()) {
    return {};
  }
  auto decoded = base64_decode(text);
  if (!decoded) {
    throw FormatError(fmt::format("{}.{}: {} (the *-data fields hold base64 of the PEM bytes)",
                                  where, key, decoded.error()));
  }
  return std::move(*decoded);
}

// client-go ResolvePath: relative paths are relative to the defining file.
std::string resolve_path(const std::string& path, const fs::path& base)
{
  if (path.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  return (base / path).lexically_normal().string();
}

std::vector<std::string> string_list(const YAML::Node& map, const char* key,
                                     const std::string& where)
{
  std::vector<std::string> result;
  const YAML::Node list = map[key];
  if (!list || list.IsNull()) {
    return result;
  }
  if (!list.IsSequence()) {
    throw FormatError(fmt::format("{}.{}: expected a list", where, key));
  }
  for (const auto& item : list) {
    if (!item.IsScalar()) {
      throw FormatError(fmt::format("{}.{}: expected a list of strings", where, key));
    }
    result.push_back(item.Scalar());
  }
  return result;
}

nlohmann::json to_json(const YAML::Node& node)
{
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node) {
        object[entry.first.Scalar()] = to_json(entry.second);
      }
      return object;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) {
        array.push_back(to_json(item));
      }
      return array;
    }
    case YAML::NodeType::Scalar:
      return node.Scalar();
    default:
      return nullptr;
  }
}

ExecConfig parse_exec(const YAML::Node& node, const fs::path& base, const std::string& where)
{
  ExecConfig exec;
  exec.api_version = scalar(node, "apiVersion", where);
  exec.command = scalar(node, "command", where);
  if (exec.command.find('/') != std::string::npos) {
    exec.command = resolve_path(exec.command, base);
  }
  exec.args = string_list(node, "args", where);
  if (const YAML::Node env = node["env"]; env && !env.IsNull()) {
    if (!env.IsSequence()) {
      throw FormatError(fmt::format("{}.env: expected a list", where));
    }
    for (const auto& item : env) {
      exec.env.push_back(
        { scalar(item, "name", where + ".env"), scalar(item, "value", where + ".env") });
    }
  }
  exec.install_hint = scalar(node, "installHint", where);
  exec.provide_cluster_info = boolean(node, "provideClusterInfo", where);
  exec.interactive_mode = scalar(node, "interactiveMode", where);
  // client-go api/v1/defaults.go: only the older plugin versions default the mode.
  if (exec.interactive_mode.empty() && exec.api_version == "client.authentication.k8s.io/v1beta1") {
    exec.interactive_mode = "IfAvailable";
  }
  return exec;
}

KubeconfigCluster parse_cluster(const YAML::Node& node, const fs::path& base,
                                const std::string& where)
{
  KubeconfigCluster cluster;
  cluster.server = scalar(node, "server", where);
  cluster.tls_server_name = scalar(node, "tls-server-name", where);
  cluster.certificate_authority = resolve_path(scalar(node, "certificate-authority", where), base);
  cluster.certificate_authority_data = data_field(node, "certificate-authority-data", where);
  cluster.insecure_skip_tls_verify = boolean(node, "insecure-skip-tls-verify", where);
  cluster.proxy_url = scalar(node, "proxy-url", where);
  cluster.disable_compression = boolean(node, "disable-compression", where);
  if (const YAML::Node extensions = node["extensions"]; extensions && extensions.IsSequence()) {
    for (const auto& extension : extensions) {
      if (scalar(extension, "name", where + ".extensions") == "client.authentication.k8s.io/exec") {
        cluster.exec_extension = to_json(extension["extension"]);
      }
    }
  }
  return cluster;
}

KubeconfigUser parse_user(const YAML::Node& node, const fs::path& base, const std::string& where)
{
  KubeconfigUser user;
  user.client_certificate = resolve_path(scalar(node, "client-certificate", where), base);
  user.client_certificate_data = data_field(node, "client-certificate-data", where);
  user.client_key = resolve_path(scalar(node, "client-key", where), base);
  user.client_key_data = SecretString(data_field(node, "client-key-data", where));
  user.token = SecretString(scalar(node, "token", where));
  user.token_file = resolve_path(scalar(node, "tokenFile", where), base);
  user.username = scalar(node, "username", where);
  user.password = SecretString(scalar(node, "password", where));
  user.has_auth_provider = node["auth-provider"] && !node["auth-provider"].IsNull();
  if (const YAML::Node exec = node["exec"]; exec && !exec.IsNull()) {
    user.exec = parse_exec(exec, base, where + ".exec");
  }
  user.impersonation.user_name = scalar(node, "as", where);
  user.impersonation.uid = scalar(node, "as-uid", where);
  user.impersonation.groups = string_list(node, "as-groups", where);
  if (const YAML::Node extra = node["as-user-extra"]; extra && !extra.IsNull()) {
    if (!extra.IsMap()) {
      throw FormatError(fmt::format("{}.as-user-extra: expected a map of string lists", where));
    }
    for (const auto& entry : extra) {
      user.impersonation.extra[entry.first.Scalar()] =
        string_list(extra, entry.first.Scalar().c_str(), where + ".as-user-extra");
    }
  }
  return user;
}

// Reads `key` (clusters, users, contexts): a list of {name, <item_key>: {...}}.
template<typename T, typename Parse>
void parse_named_list(const YAML::Node& root, const char* key, const char* item_key,
                      std::map<std::string, T>& out, Parse parse)
{
  const YAML::Node list = root[key];
  if (!list || list.IsNull()) {
    return;
  }
  if (!list.IsSequence()) {
    throw FormatError(fmt::format("{}: expected a list", key));
  }
  std::size_t index = 0;
  for (const auto& item : list) {
    const std::string where = fmt::format("{}[{}]", key, index++);
    if (!item.IsMap()) {
      throw FormatError(fmt::format("{}: expected a map", where));
    }
    const std::string name = scalar(item, "name", where);
    const YAML::Node body = item[item_key];
    if (out.count(name) != 0) {
      throw FormatError(fmt::format("duplicate name \"{}\" in {}", name, key));
    }
    if (body && !body.IsNull() && !body.IsMap()) {
      throw FormatError(fmt::format("{}.{}: expected a map", where, item_key));
    }
    out.emplace(name, parse(body ? body : YAML::Node(YAML::NodeType::Map),
                            fmt::format("{}.{}", where, item_key)));
  }
}

} // namespace

void Kubeconfig::merge_from(Kubeconfig later)
{
  if (current_context.empty()) {
    current_context = std::move(later.current_context);
  }
  clusters.merge(later.clusters);
  users.merge(later.users);
  contexts.merge(later.contexts);
  files.insert(files.end(), later.files.begin(), later.files.end());
}

Expected<Kubeconfig, std::string> parse_kubeconfig(std::string_view yaml, const std::string& file)
{
  const fs::path base = fs::absolute(fs::path(file)).parent_path();
  Kubeconfig config;
  config.files.push_back(file);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (!root || root.IsNull()) {
      return config;
    }
    if (!root.IsMap()) {
      throw FormatError("expected a map at the top level (apiVersion: v1, kind: Config)");
    }
    config.current_context = scalar(root, "current-context", "config");
    parse_named_list(root, "clusters", "cluster", config.clusters,
                     [&](const YAML::Node& node, const std::string& where) {
                       auto cluster = parse_cluster(node, base, where);
                       cluster.file = file;
                       return cluster;
                     });
    parse_named_list(root, "users", "user", config.users,
                     [&](const YAML::Node& node, const std::string& where) {
                       auto user = parse_user(node, base, where);
                       user.file = file;
                       return user;
                     });
    parse_named_list(root, "contexts", "context", config.contexts,
                     [&](const YAML::Node& node, const std::string& where) {
                       return KubeconfigContext{ scalar(node, "cluster", where),
                                                 scalar(node, "user", where),
                                                 scalar(node, "namespace", where) };
                     });
  } catch (const YAML::Exception& e) {
    return unexpected(fmt::format("error loading config file \"{}\": yaml: line {}: {}", file,
                                  e.mark.line + 1, e.msg));
  } catch (const FormatError& e) {
    return unexpected(fmt::format("error loading config file \"{}\": {}", file, e.what()));
  }
  return config;
}

Expected<Kubeconfig, std::string> read_kubeconfig(const std::string& file)
{
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return unexpected(fmt::format("stat {}: no such file or directory", file));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return unexpected(
      fmt::format("error loading config file \"{}\": open {}: permission denied", file, file));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_kubeconfig(text.str(), file);
}

Expected<Kubeconfig, std::string> load_kubeconfig(const std::string& explicit_path,
                                                  const EnvLookup& env)
{
  if (!explicit_path.empty()) {
    return read_kubeconfig(explicit_path);
  }
  std::vector<std::string> candidates;
  if (const auto list = env("KUBECONFIG"); list && !list->empty()) {
    std::set<std::string> seen;
    std::istringstream parts(*list);
    for (std::string part; std::getline(parts, part, ':');) {
      if (!part.empty() && seen.insert(part).second) {
        candidates.push_back(part);
      }
    }
  } else if (const auto home = env("HOME"); home && !home->empty()) {
    candidates.push_back((fs::path(*home) / ".kube" / "config").string());
  }
  Kubeconfig merged;
  for (const auto& file : candidates) {
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      continue; // loader.go: missing files in the list are skipped
    }
    auto config = read_kubeconfig(file);
    if (!config) {
      return config;
    }
    merged.merge_from(std::move(*config));
  }
  return merged;
}

} // namespace kpg::kube
