#include "kube/client_config.hpp"

#include "core/base64.hpp"
#include "core/error.hpp"
#include "kube/credentials.hpp"
#include "kube/kubeconfig.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace kpg::kube {

namespace {

namespace fs = std::filesystem;

// Go's os.Open error text: "open <path>: no such file or directory".
std::optional<std::string> open_error(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (in) {
    return std::nullopt;
  }
  std::string reason = std::strerror(errno);
  if (!reason.empty()) {
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  }
  return fmt::format("open {}: {}", path, reason);
}

std::string read_file(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trimmed(std::string text)
{
  const auto end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  text.erase(0, text.find_first_not_of(" \t\r\n"));
  return text;
}

// client-go validation.go validateAuthInfo.
void validate_user(const std::string& name, const KubeconfigUser& user,
                   std::vector<std::string>& errors)
{
  std::vector<std::string> methods;
  if (!user.token.empty()) {
    methods.emplace_back("token");
  }
  if (!user.username.empty() || !user.password.empty()) {
    methods.emplace_back("basicAuth");
  }
  if (!user.client_certificate.empty() || !user.client_certificate_data.empty()) {
    if (!user.client_certificate.empty() && !user.client_certificate_data.empty()) {
      errors.push_back(fmt::format("client-cert-data and client-cert are both specified for {}. "
                                   "client-cert-data will override.",
                                   name));
    }
    if (!user.client_key.empty() && !user.client_key_data.empty()) {
      errors.push_back(fmt::format(
        "client-key-data and client-key are both specified for {}; client-key-data will override",
        name));
    }
    if (user.client_key.empty() && user.client_key_data.empty()) {
      errors.push_back(fmt::format("client-key-data or client-key must be specified for {} to use "
                                   "the clientCert authentication method.",
                                   name));
    }
    if (!user.client_certificate.empty()) {
      if (auto error = open_error(user.client_certificate)) {
        errors.push_back(fmt::format("unable to read client-cert {} for {} due to {}",
                                     user.client_certificate, name, *error));
      }
    }
    if (!user.client_key.empty()) {
      if (auto error = open_error(user.client_key)) {
        errors.push_back(fmt::format("unable to read client-key {} for {} due to {}",
                                     user.client_key, name, *error));
      }
    }
  }
  if (user.exec) {
    const ExecConfig& exec = *user.exec;
    const std::string suffix = fmt::format("for {} to use exec authentication plugin", name);
    if (user.has_auth_provider) {
      errors.push_back(fmt::format(
        "authProvider cannot be provided in combination with an exec plugin for {}", name));
    }
    if (exec.command.empty()) {
      errors.push_back("command must be specified " + suffix);
    }
    if (exec.api_version.empty()) {
      errors.push_back("apiVersion must be specified " + suffix);
    }
    for (const auto& var : exec.env) {
      if (var.name.empty()) {
        errors.push_back("env variable name must be specified " + suffix);
      }
    }
    if (exec.interactive_mode.empty()) {
      errors.push_back("interactiveMode must be specified " + suffix);
    } else if (exec.interactive_mode != "Never" && exec.interactive_mode != "IfAvailable" &&
               exec.interactive_mode != "Always") {
      errors.push_back(
        fmt::format("invalid interactiveMode for {}: \"{}\"", name, exec.interactive_mode));
    }
  }
  if (methods.size() > 1) {
    errors.push_back(fmt::format("more than one authentication method found for {}; found [{}], "
                                 "only one is allowed",
                                 name, fmt::join(methods, " ")));
  }
}

bool is_empty(const KubeconfigCluster& cluster)
{
  return cluster.server.empty() && cluster.certificate_authority.empty() &&
         cluster.certificate_authority_data.empty() && cluster.tls_server_name.empty() &&
         cluster.proxy_url.empty() && !cluster.insecure_skip_tls_verify;
}

// client-go validation.go validateClusterInfo.
void validate_cluster(const std::string& name, const KubeconfigCluster& cluster,
                      std::vector<std::string>& errors)
{
  if (cluster.server.empty()) {
    errors.push_back(name.empty() ? std::string("default cluster has no server defined")
                                  : fmt::format("no server found for cluster \"{}\"", name));
  }
  if (!cluster.proxy_url.empty()) {
    const auto colon = cluster.proxy_url.find("://");
    const std::string scheme =
      colon == std::string::npos ? std::string() : cluster.proxy_url.substr(0, colon);
    if (scheme != "http" && scheme != "https" && scheme != "socks5") {
      errors.push_back(fmt::format("invalid 'proxy-url' \"{}\" for cluster \"{}\": unsupported "
                                   "scheme \"{}\", must be http, https, or socks5",
                                   cluster.proxy_url, name, scheme));
    }
  }
  if (!cluster.certificate_authority.empty() && !cluster.certificate_authority_data.empty()) {
    errors.push_back(fmt::format("certificate-authority-data and certificate-authority are both "
                                 "specified for {}. certificate-authority-data will override.",
                                 name));
  }
  if (!cluster.certificate_authority.empty()) {
    if (auto error = open_error(cluster.certificate_authority)) {
      errors.push_back(fmt::format("unable to read certificate-authority {} for {} due to {}",
                                   cluster.certificate_authority, name, *error));
    }
  }
}

std::string invalid_configuration(const std::vector<std::string>& errors)
{
  if (errors.size() == 1) {
    return "invalid configuration: " + errors.front();
  }
  return fmt::format("invalid configuration: [{}]", fmt::join(errors, ", "));
}

nlohmann::json exec_cluster_info(const KubeconfigCluster& cluster, const std::string& ca_pem)
{
  nlohmann::json info = { { "server", cluster.server } };
  if (!cluster.tls_server_name.empty()) {
    info["tls-server-name"] = cluster.tls_server_name;
  }
  if (cluster.insecure_skip_tls_verify) {
    info["insecure-skip-tls-verify"] = true;
  }
  if (!ca_pem.empty()) {
    info["certificate-authority-data"] = base64_encode(ca_pem);
  }
  if (!cluster.proxy_url.empty()) {
    info["proxy-url"] = cluster.proxy_url;
  }
  if (cluster.disable_compression) {
    info["disable-compression"] = true;
  }
  if (!cluster.exec_extension.is_null()) {
    info["config"] = cluster.exec_extension;
  }
  return info;
}

std::shared_ptr<CredentialSource> user_credentials(const std::string& user_name,
                                                   const KubeconfigUser& user,
                                                   const nlohmann::json& cluster_info, Clock& clock,
                                                   const LoadOptions& load)
{
  CredentialSource::Credential credential;
  if (!user.client_certificate_data.empty() || !user.client_certificate.empty()) {
    credential.client_cert_pem =
      SecretString(user.client_certificate_data.empty() ? read_file(user.client_certificate)
                                                        : user.client_certificate_data);
    credential.client_key_pem = user.client_key_data.empty()
                                  ? SecretString(read_file(user.client_key))
                                  : user.client_key_data;
  }
  if (!user.token.empty()) {
    credential.bearer_token = user.token;
  } else if (!user.token_file.empty()) {
    return std::make_shared<TokenFileCredentialSource>(
      user.token_file, fmt::format("user \"{}\"", user_name), std::move(credential));
  }
  if (!credential.bearer_token.empty() || !credential.client_cert_pem.empty()) {
    return std::make_shared<StaticCredentialSource>(std::move(credential));
  }
  if (user.exec) {
    return std::make_shared<ExecCredentialSource>(*user.exec, user_name, cluster_info,
                                                  load.stdin_is_terminal, clock);
  }
  if (!user.username.empty()) {
    throw UsageError(fmt::format(
      "user \"{}\" uses basic authentication (username/password), which Kubernetes removed in "
      "1.19 and kubectl-pg does not send; use a token, a client certificate or an exec plugin",
      user_name));
  }
  if (user.has_auth_provider) {
    throw UsageError(fmt::format(
      "user \"{}\" uses an auth-provider, which kubectl removed in 1.26; use an exec credential "
      "plugin instead (gke-gcloud-auth-plugin, kubelogin, aws eks get-token)",
      user_name));
  }
  return nullptr;
}

// --as, --as-uid and --as-group override the kubeconfig's as, as-uid and
// as-groups one by one (client-go merges the override AuthInfo with mergo).
void apply_impersonation_flags(const GlobalOptions& options, Impersonation& impersonation)
{
  if (!options.impersonate_user.empty()) {
    impersonation.user_name = options.impersonate_user;
  }
  if (!options.impersonate_uid.empty()) {
    impersonation.uid = options.impersonate_uid;
  }
  if (!options.impersonate_groups.empty()) {
    impersonation.groups = options.impersonate_groups;
  }
}

std::optional<RestConfig> in_cluster_config(const GlobalOptions& options, const EnvLookup& env,
                                            const LoadOptions& load)
{
  const auto host = env("KUBERNETES_SERVICE_HOST");
  const auto port = env("KUBERNETES_SERVICE_PORT");
  const std::string token_path = load.service_account_dir + "/token";
  std::error_code ec;
  if (!host || host->empty() || !port || port->empty() || !fs::is_regular_file(token_path, ec)) {
    return std::nullopt;
  }
  RestConfig config;
  const bool ipv6 = host->find(':') != std::string::npos;
  config.server = options.server.empty() ? fmt::format("https://{}{}{}:{}", ipv6 ? "[" : "", *host,
                                                       ipv6 ? "]" : "", *port)
                                         : options.server;
  // client-go inClusterClientConfig: only --server, --token and --certificate-authority
  // apply; the impersonation flags too (kubectl ignores them in a pod, kubernetes#93474;
  // the unmerged kubernetes#116640 would honour them).
  if (!options.certificate_authority.empty()) {
    if (auto error = open_error(options.certificate_authority)) {
      throw UsageError(fmt::format("unable to read --certificate-authority: {}", *error));
    }
    config.ca_pem = read_file(options.certificate_authority);
    config.ca_origin =
      fmt::format("--certificate-authority file {}", options.certificate_authority);
  } else if (const std::string ca_path = load.service_account_dir + "/ca.crt";
             !open_error(ca_path)) {
    config.ca_pem = read_file(ca_path);
    config.ca_origin = fmt::format("the service account CA file {}", ca_path);
  }
  apply_impersonation_flags(options, config.impersonation);
  if (!options.token.empty()) {
    config.credentials = std::make_shared<StaticCredentialSource>(
      CredentialSource::Credential{ SecretString(options.token), {}, {} });
  } else {
    config.credentials =
      std::make_shared<TokenFileCredentialSource>(token_path, "the pod's service account");
  }
  config.namespace_name = options.namespace_name;
  if (config.namespace_name.empty()) {
    config.namespace_name = env("POD_NAMESPACE").value_or("");
  }
  if (config.namespace_name.empty() && !open_error(load.service_account_dir + "/namespace")) {
    config.namespace_name = trimmed(read_file(load.service_account_dir + "/namespace"));
  }
  if (config.namespace_name.empty()) {
    config.namespace_name = "default";
  }
  config.context_name = "(in-cluster)";
  config.user_name = "(service account)";
  config.request_timeout = parse_request_timeout(options.request_timeout);
  return config;
}

// client-go DirectClientConfig.getAuthInfo: the flags override the kubeconfig
// user field by field; a client certificate (key) flag also drops the user's
// -data field, which would otherwise win.
void apply_user_flags(const GlobalOptions& options, KubeconfigUser& user)
{
  if (!options.token.empty()) {
    user.token = SecretString(options.token);
  }
  if (!options.client_certificate.empty()) {
    user.client_certificate = options.client_certificate;
    user.client_certificate_data.clear();
  }
  if (!options.client_key.empty()) {
    user.client_key = options.client_key;
    user.client_key_data = SecretString();
  }
  apply_impersonation_flags(options, user.impersonation);
}

// client-go DirectClientConfig.getCluster: --insecure-skip-tls-verify or
// --certificate-authority replaces all three of the cluster's insecure flag, CA
// file and CA data (so --insecure-skip-tls-verify drops the kubeconfig's CA, and
// both flags together fail later: "specifying a root certificates file with the
// insecure flag is not allowed"); --server drops the kubeconfig's
// tls-server-name unless --tls-server-name is given too.
void apply_cluster_flags(const GlobalOptions& options, KubeconfigCluster& cluster)
{
  if (!options.server.empty()) {
    cluster.server = options.server;
  }
  if (options.insecure_skip_tls_verify || !options.certificate_authority.empty()) {
    cluster.insecure_skip_tls_verify = options.insecure_skip_tls_verify;
    cluster.certificate_authority = options.certificate_authority;
    cluster.certificate_authority_data.clear();
  }
  if (!options.tls_server_name.empty() || !options.server.empty()) {
    cluster.tls_server_name = options.tls_server_name;
  }
}

template<typename Map>
const typename Map::mapped_type* find(const Map& map, const std::string& key)
{
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

} // namespace

std::chrono::milliseconds parse_request_timeout(const std::string& text)
{
  const UsageError invalid("Invalid timeout value. Timeout must be a single integer in seconds, "
                           "or an integer followed by a corresponding time unit (e.g. 1s | 2m | "
                           "3h)");
  if (text.empty()) {
    return std::chrono::milliseconds(0);
  }
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    return std::chrono::seconds(std::stoll(text));
  }
  // A Go duration: one or more <number><unit>.
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t number_start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '.')) {
      ++i;
    }
    if (i == number_start) {
      throw invalid;
    }
    const double number = std::stod(text.substr(number_start, i - number_start));
    const std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])) != 0) {
      ++i;
    }
    const std::string unit = text.substr(unit_start, i - unit_start);
    if (unit == "h") {
      total_ms += number * 3600000.0;
    } else if (unit == "m") {
      total_ms += number * 60000.0;
    } else if (unit == "s") {
      total_ms += number * 1000.0;
    } else if (unit == "ms") {
      total_ms += number;
    } else if (unit == "us") {
      total_ms += number / 1000.0;
    } else if (unit == "ns") {
      total_ms += number / 1000000.0;
    } else {
      throw invalid;
    }
  }
  return std::chrono::milliseconds(static_cast<long long>(total_ms));
}

RestConfig load_rest_config(const GlobalOptions& options, const EnvLookup& env, Clock& clock,
                            const LoadOptions& load)
{
  auto loaded = load_kubeconfig(options.kubeconfig, env);
  if (!loaded) {
    throw UsageError(loaded.error());
  }
  const Kubeconfig& kubeconfig = *loaded;

  const std::string context_name =
    options.context.empty() ? kubeconfig.current_context : options.context;
  const KubeconfigContext* found_context = find(kubeconfig.contexts, context_name);
  if (!options.context.empty() && found_context == nullptr) {
    throw UsageError(fmt::format("context \"{}\" does not exist", options.context));
  }
  KubeconfigContext context = found_context != nullptr ? *found_context : KubeconfigContext{};
  if (!options.user.empty()) {
    if (find(kubeconfig.users, options.user) == nullptr) {
      throw UsageError(fmt::format("auth info \"{}\" does not exist", options.user));
    }
    context.user = options.user;
  }
  if (!options.cluster.empty()) {
    if (find(kubeconfig.clusters, options.cluster) == nullptr) {
      throw UsageError(fmt::format("cluster \"{}\" does not exist", options.cluster));
    }
    context.cluster = options.cluster;
  }
  const KubeconfigUser* found_user = find(kubeconfig.users, context.user);
  KubeconfigUser user = found_user != nullptr ? *found_user : KubeconfigUser{};
  apply_user_flags(options, user);
  const KubeconfigCluster* found_cluster = find(kubeconfig.clusters, context.cluster);
  KubeconfigCluster cluster = found_cluster != nullptr ? *found_cluster : KubeconfigCluster{};
  // No cluster from the kubeconfig nor --server: in a pod, the in-cluster configuration
  // (whatever TLS flags say; only --certificate-authority applies there).
  const bool no_cluster = is_empty(cluster) && options.server.empty();
  apply_cluster_flags(options, cluster);

  // client-go DirectClientConfig.ConfirmUsable.
  std::vector<std::string> errors;
  if (!context_name.empty() && found_context == nullptr) {
    errors.push_back(fmt::format("context was not found for specified context: {}", context_name));
  }
  validate_user(context.user, user, errors);
  if (no_cluster) {
    if (errors.empty()) {
      if (auto config = in_cluster_config(options, env, load)) {
        return std::move(*config);
      }
      throw UsageError(
        "invalid configuration: no configuration has been provided: no kubeconfig was found "
        "(--kubeconfig and $KUBECONFIG are unset and ~/.kube/config does not exist) and this is "
        "not a pod (KUBERNETES_SERVICE_HOST is unset); pass --kubeconfig, set KUBECONFIG, or "
        "give --server");
    }
    errors.emplace_back("cluster has no server defined");
  } else {
    validate_cluster(context.cluster, cluster, errors);
  }
  if (!errors.empty()) {
    throw UsageError(invalid_configuration(errors));
  }

  RestConfig config;
  config.server = cluster.server;
  while (!config.server.empty() && config.server.back() == '/') {
    config.server.pop_back();
  }
  config.tls_server_name = cluster.tls_server_name;
  config.insecure_skip_tls_verify = cluster.insecure_skip_tls_verify;
  if (!cluster.certificate_authority_data.empty()) {
    config.ca_pem = cluster.certificate_authority_data;
    config.ca_origin = fmt::format("certificate-authority-data of cluster \"{}\" in {}",
                                   context.cluster, cluster.file);
  } else if (!options.certificate_authority.empty()) {
    config.ca_pem = read_file(cluster.certificate_authority);
    config.ca_origin =
      fmt::format("--certificate-authority file {}", cluster.certificate_authority);
  } else if (!cluster.certificate_authority.empty()) {
    config.ca_pem = read_file(cluster.certificate_authority);
    config.ca_origin = fmt::format("certificate-authority file {} (cluster \"{}\")",
                                   cluster.certificate_authority, context.cluster);
  }
  // client-go transport.go: HasCA() is a CA file or data being set, even an empty one.
  if (config.insecure_skip_tls_verify &&
      (!cluster.certificate_authority.empty() || !cluster.certificate_authority_data.empty())) {
    throw UsageError("specifying a root certificates file with the insecure flag is not allowed");
  }
  config.proxy_url = cluster.proxy_url;
  config.disable_compression = cluster.disable_compression;
  // client-go IsConfigTransportTLS: credentials go only to https servers.
  if (config.server.rfind("https://", 0) == 0) {
    config.credentials =
      user_credentials(context.user, user, exec_cluster_info(cluster, config.ca_pem), clock, load);
  }
  // client-go sets impersonation for http servers too (before IsConfigTransportTLS).
  config.impersonation = user.impersonation;
  config.namespace_name = !options.namespace_name.empty()   ? options.namespace_name
                          : !context.namespace_name.empty() ? context.namespace_name
                                                            : "default";
  config.context_name = context_name;
  config.user_name = context.user;
  config.request_timeout = parse_request_timeout(options.request_timeout);
  return config;
}

RestConfig load_rest_config(const Context& ctx)
{
  LoadOptions load;
  load.stdin_is_terminal = ctx.stdin_is_tty ? StdinIsTerminal::yes : StdinIsTerminal::no;
  return load_rest_config(ctx.options, ctx.getenv, ctx.clock, load);
}

} // namespace kpg::kube
