#pragma once
// The SqlRunner kubectl-pg uses: psql run in the pod over the API server's
// pods/exec WebSocket (kube/exec_stream.hpp once it lands: kube::exec with the
// command's argv, stdout captured, stderr's last line kept for the error).
//
// Placeholder until exec is merged: unavailable_reason() says so and run()
// answers the same reason, so status reports a notice (SqlUnavailable) and
// reads replication from Patroni alone. Wiring the real exec changes this
// file's .cpp only.

#include "kube/rest_config.hpp"
#include "pg/sql_runner.hpp"

namespace kpg::pg {

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
