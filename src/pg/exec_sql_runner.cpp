#include "pg/exec_sql_runner.hpp"

#include <fmt/format.h>

namespace kpg::pg {

namespace {

constexpr std::string_view k_no_exec =
  "exec (pods/exec over WebSocket) is not available in this build of kubectl-pg yet";

} // namespace

std::optional<std::string> ExecSqlRunner::unavailable_reason() const
{
  return std::string(k_no_exec);
}

Fetched ExecSqlRunner::run(const PodCommand& command)
{
  return unexpected(fmt::format("running psql in pod {}/{} (container {}) on {}: {}",
                                command.namespace_name, command.pod, command.container,
                                m_config.server, k_no_exec));
}

} // namespace kpg::pg
