// Test and benchmark driver for kpg::kube::exec(): runs one command in a pod the
// way `kubectl exec` would, from flags instead of a kubeconfig (the kubeconfig
// loader is another module). stdin/stdout/stderr are this process's own; the
// exit code is the remote command's, or ExecError's code.
//
//   exec_client --server https://127.0.0.1:6443 --ca ca.crt --token-file t
//               -n db --pod pg-0 [-c postgres] [-i] [-t] -- patronictl list
//
// --stats prints "stdout_bytes=N seconds=S cpu_seconds=C peak_rss_kib=K" on stderr at the end;
// --cancel-on-output cancels the exec after the first stdout bytes (tests the
// cancellation path); --print-protocol prints the chosen subprotocol on stderr.

#include "kube/credentials.hpp"
#include "kube/exec_stream.hpp"
#include "kube/terminal.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace {

using namespace kpg::kube;

std::string read_file(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw kpg::Error(fmt::format("cannot read {}", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Counts stdout bytes and, when asked, cancels the exec after the first write.
class ObservedOutput final : public ExecOutput
{
public:
  ObservedOutput(ExecOutput& inner, ExecCancellation* cancel_on_output)
    : m_inner(inner)
    , m_cancel_on_output(cancel_on_output)
  {
  }
  void write(std::span<const char> bytes) override
  {
    m_inner.write(bytes);
    m_bytes += bytes.size();
    if (m_cancel_on_output != nullptr) {
      m_cancel_on_output->cancel();
    }
  }
  std::uint64_t bytes() const
  {
    return m_bytes;
  }

private:
  ExecOutput& m_inner;
  ExecCancellation* m_cancel_on_output;
  std::uint64_t m_bytes = 0;
};

struct Options
{
  RestConfig config;
  ExecRequest request;
  std::string ca_file, token_file, cert_file, key_file;
  bool attach_stdin = false;
  bool tty = false;
  bool stats = false;
  bool cancel_on_output = false;
  bool print_protocol = false;
};

int run(const Options& options)
{
  RestConfig config = options.config;
  if (!options.ca_file.empty()) {
    config.ca_pem = read_file(options.ca_file);
    config.ca_origin = fmt::format("file {}", options.ca_file);
  }
  CredentialSource::Credential credential;
  if (!options.token_file.empty()) {
    std::string token = read_file(options.token_file);
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
      token.pop_back();
    }
    credential.bearer_token = kpg::SecretString(std::move(token));
  }
  if (!options.cert_file.empty()) {
    credential.client_cert_pem = kpg::SecretString(read_file(options.cert_file));
    credential.client_key_pem = kpg::SecretString(read_file(options.key_file));
  }
  config.credentials = std::make_shared<StaticCredentialSource>(credential);

  ExecRequest request = options.request;
  request.namespace_name = config.namespace_name;
  // As kubectl: -t without a terminal on stdin is a warning, and no TTY.
  const bool tty = options.tty && isatty(STDIN_FILENO) != 0;
  if (options.tty && !tty) {
    std::cerr << "Unable to use a TTY - input is not a terminal or the right kind of file\n";
  }
  request.tty = tty ? TtyMode::enabled : TtyMode::disabled;

  FdInput input(STDIN_FILENO, "stdin");
  FdOutput output(STDOUT_FILENO, "stdout");
  FdOutput error_output(STDERR_FILENO, "stderr");
  ExecCancellation cancellation;
  ObservedOutput observed(output, options.cancel_on_output ? &cancellation : nullptr);
  ExecStreams streams;
  streams.input = options.attach_stdin ? &input : nullptr;
  streams.output = &observed;
  streams.error_output = tty ? nullptr : &error_output;
  std::optional<RawTerminal> raw_terminal;
  if (tty) {
    streams.terminal_size = [] { return terminal_size(STDIN_FILENO); };
    raw_terminal.emplace(STDIN_FILENO);
  }

  const auto start = std::chrono::steady_clock::now();
  const ExecResult result = exec(config, request, streams, &cancellation);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (options.print_protocol) {
    std::cerr << "protocol " << channel_protocol_name(result.protocol) << '\n';
  }
  if (options.stats) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto cpu_seconds = [](const timeval& time) {
      return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
    };
    std::cerr << fmt::format(
      "stdout_bytes={} seconds={:.3f} cpu_seconds={:.3f} peak_rss_kib={}\n", observed.bytes(),
      elapsed.count(), cpu_seconds(usage.ru_utime) + cpu_seconds(usage.ru_stime), usage.ru_maxrss);
  }
  return result.exit_code;
}

} // namespace

int main(int argc, char** argv)
{
  // A closed stdout must be an EPIPE error, not death by SIGPIPE.
  static_cast<void>(std::signal(SIGPIPE, SIG_IGN));
  Options options;
  CLI::App app{ "Runs a command in a pod over the exec WebSocket (test driver)" };
  app.add_option("--server", options.config.server, "API server URL")->required();
  app.add_option("--ca", options.ca_file, "CA bundle (PEM) to verify the server");
  app.add_option("--tls-server-name", options.config.tls_server_name, "name to verify");
  app.add_flag("--insecure-skip-tls-verify", options.config.insecure_skip_tls_verify);
  app.add_option("--token-file", options.token_file, "file holding a bearer token");
  app.add_option("--cert", options.cert_file, "client certificate (PEM)");
  app.add_option("--key", options.key_file, "client key (PEM)");
  app.add_option("-n,--namespace", options.config.namespace_name);
  app.add_option("--as", options.config.impersonation.user_name, "user to impersonate");
  app.add_option("--as-group", options.config.impersonation.groups, "group to impersonate")
    ->expected(1)
    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--pod", options.request.pod)->required();
  app.add_option("-c,--container", options.request.container);
  app.add_flag("-i,--stdin", options.attach_stdin, "pass stdin to the command");
  app.add_flag("-t,--tty", options.tty, "allocate a terminal");
  app.add_flag("--stats", options.stats);
  app.add_flag("--cancel-on-output", options.cancel_on_output);
  app.add_flag("--print-protocol", options.print_protocol);
  app.add_option("command", options.request.command)->required();
  CLI11_PARSE(app, argc, argv);
  options.config.user_name = "exec-client";
  try {
    return run(options);
  } catch (const ExecError& error) {
    // kubectl prints API errors bare, except Unauthorized (pkg/cmd/util/helpers.go).
    const bool api_error = error.failure() == ExecFailure::refused && error.status().has_value();
    if (api_error && error.status()->reason != "Unauthorized") {
      std::cerr << error.what() << '\n';
    } else {
      std::cerr << "error: " << error.what() << '\n';
    }
    return kpg::to_int(error.code());
  } catch (const kpg::Error& error) {
    std::cerr << "error: " << error.what() << '\n';
    return kpg::to_int(error.code());
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << '\n';
    return kpg::to_int(kpg::ExitCode::failure);
  }
}
