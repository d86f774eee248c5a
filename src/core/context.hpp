#pragma once
// Everything a command needs from its surroundings, passed explicitly (no
// globals): global flags, streams, terminal facts, environment and clock.
// cmd/main.cpp builds one from the real process; tests build one over string
// streams, a fake environment and a fake clock.

#include "core/clock.hpp"
#include "core/exit_code.hpp"

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace kpg {

// kubectl's global flags, as kubectl names them. Empty means "not given".
struct GlobalOptions
{
  std::string kubeconfig;            // --kubeconfig PATH
  std::string context;               // --context NAME
  std::string cluster;               // --cluster NAME
  std::string user;                  // --user NAME
  std::string namespace_name;        // -n/--namespace NAME
  std::string server;                // -s/--server URL
  std::string token;                 // --token BEARER (never logged)
  std::string request_timeout = "0"; // --request-timeout: "0" (none), "30s", "1m", ...
  int verbosity = 0; // -v N: 0 quiet .. 10 (6 and up: API traffic, secrets redacted)
  bool insecure_skip_tls_verify = false;       // --insecure-skip-tls-verify (clears the CA)
  std::string certificate_authority;           // --certificate-authority PATH (PEM)
  std::string client_certificate;              // --client-certificate PATH (PEM)
  std::string client_key;                      // --client-key PATH (PEM; never logged)
  std::string tls_server_name;                 // --tls-server-name NAME
  std::string impersonate_user;                // --as USER
  std::vector<std::string> impersonate_groups; // --as-group GROUP, repeatable
  std::string impersonate_uid;                 // --as-uid UID
  std::string color = "auto";                  // --color auto|always|never (ui/color.hpp)
};

// Reads one environment variable; std::nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

struct Context
{
  GlobalOptions options;
  std::ostream& out; // command output (what -o prints)
  std::ostream& err; // diagnostics, warnings, progress
  std::istream& in;  // prompts and stdin streaming
  bool stdin_is_tty = false;
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;
  EnvLookup getenv;
  Clock& clock;
  // The exit code of a command that ends without an error but with an outcome
  // scripts must see (status: 3 when the cluster is degraded), or another
  // program's exit status passed on as is (connect: psql's, as kubectl exec
  // does the remote command's). main returns it.
  ExitCode exit_code = ExitCode::ok;
};

// The process environment, as an EnvLookup.
EnvLookup process_environment();

} // namespace kpg
