#pragma once
// The SqlRunner kubectl-pg uses: psql run in the pod over the API server's
// pods/exec WebSocket (kube/exec_stream.hpp), without a TTY or stdin. psql's
// standard output is captured whole (psql's unaligned answers are small); its
// standard error is kept for the error: a non-zero exit answers
//   "running psql in pod NS/POD (container C): psql exited with code N: <first
//    line of stderr>"
// and an exec failure (refused upgrade, transport, cancelled) answers
// kube::to_command_error()'s line. Both become status problems (cluster_status).

#include "kube/rest_config.hpp"
#include "pg/sql_runner.hpp"

#include <string>
#include <string_view>

namespace kpg::pg {

// The first non-empty line of psql's standard error, the one that says what
// went wrong ("psql: error: ...", "ERROR:  ..."; the lines after it are LINE,
// HINT and DETAIL), or "no error output" when it wrote none.
std::string psql_error_line(std::string_view error_output);

class ExecSqlRunner : public SqlRunner
{
public:
  // `config` is the command's connection (kube::Session::config()); it must
  // outlive the runner.
  explicit ExecSqlRunner(const kube::RestConfig& config)
    : m_config(config)
  {
  }

  std::optional<std::string> unavailable_reason() const override;
  Fetched run(const PodCommand& command) override;

private:
  const kube::RestConfig& m_config;
};

} // namespace kpg::pg
