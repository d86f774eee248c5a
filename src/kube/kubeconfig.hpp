#pragma once
// The kubeconfig file format and how kubectl finds and merges the files.
//
// Sources: client-go tools/clientcmd/api/v1/types.go (fields),
// tools/clientcmd/loader.go (locating, merging: first file wins, relative
// paths resolved against the defining file); ../shared/K8S_API.md 1.1-1.3.

#include "core/context.hpp"
#include "core/expected.hpp"
#include "core/secret_string.hpp"
#include "kube/impersonation.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::kube {

// users[].user.exec: an exec credential plugin (client.authentication.k8s.io).
struct ExecConfig
{
  struct EnvVar
  {
    std::string name;
    std::string value;
  };
  std::string api_version; // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;     // made absolute when it contains a '/' (relative to the file)
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string interactive_mode; // Never|IfAvailable|Always; v1beta1 defaults to IfAvailable
};

struct KubeconfigCluster
{
  std::string server;
  std::string tls_server_name;
  std::string certificate_authority;      // absolute path
  std::string certificate_authority_data; // decoded PEM
  bool insecure_skip_tls_verify = false;
  std::string proxy_url;
  bool disable_compression = false;
  nlohmann::json exec_extension; // extensions[name=client.authentication.k8s.io/exec].extension
  std::string file;              // the kubeconfig file that defined it
};

struct KubeconfigUser
{
  std::string client_certificate;      // absolute path
  std::string client_certificate_data; // decoded PEM
  std::string client_key;              // absolute path
  SecretString client_key_data;        // decoded PEM
  SecretString token;
  std::string token_file; // absolute path
  std::string username;
  SecretString password;
  bool has_auth_provider = false; // auth-provider (gcp, azure, oidc): removed from kubectl 1.26
  std::optional<ExecConfig> exec;
  Impersonation impersonation; // as, as-uid, as-groups, as-user-extra
  std::string file;
};

struct KubeconfigContext
{
  std::string cluster;
  std::string user;
  std::string namespace_name;
};

// One kubeconfig, or several merged (first file wins for every named entry and
// for current-context).
struct Kubeconfig
{
  std::string current_context;
  std::map<std::string, KubeconfigCluster> clusters;
  std::map<std::string, KubeconfigUser> users;
  std::map<std::string, KubeconfigContext> contexts;
  std::vector<std::string> files; // the files read, in precedence order

  bool empty() const
  {
    return clusters.empty() && users.empty() && contexts.empty() && current_context.empty();
  }
  // Adds what `later` has that this one lacks; entries already here win whole.
  void merge_from(Kubeconfig later);
};

// Parses one kubeconfig document. `file` names it in errors and anchors relative
// paths. An empty document is an empty config. Errors are worded as client-go's
// loader words them: `error loading config file "<file>": <problem>`.
Expected<Kubeconfig, std::string> parse_kubeconfig(std::string_view yaml, const std::string& file);

// Reads and parses one file. A missing file gives `stat <file>: no such file or directory`.
Expected<Kubeconfig, std::string> read_kubeconfig(const std::string& file);

// Finds and merges kubeconfig files as kubectl does: `explicit_path`
// (--kubeconfig) alone; else every file in $KUBECONFIG (':'-separated,
// duplicates dropped, missing files skipped); else $HOME/.kube/config if it
// exists. No file at all gives an empty Kubeconfig (in-cluster may apply).
Expected<Kubeconfig, std::string> load_kubeconfig(const std::string& explicit_path,
                                                  const EnvLookup& env);

} // namespace kpg::kube
