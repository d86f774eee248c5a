#include "pg/sql_runner.hpp"

#include <fmt/format.h>

namespace kpg::pg {

PodCommand member_sql(std::string namespace_name, std::string pod, std::string_view query)
{
  return { .namespace_name = std::move(namespace_name),
           .pod = std::move(pod),
           .container = std::string(k_member_container),
           .argv = { "psql", "-X", "-A", "-F", "|", "-U", "postgres", "-d", "postgres", "-c",
                     std::string(query) } };
}

PodCommand pgpool_sql(std::string namespace_name, std::string pod, std::string_view query)
{
  const std::string script =
    fmt::format("PGPASSWORD=\"$POSTGRES_PASSWORD\" exec psql -X -A -F \"|\" -h 127.0.0.1 -p {} "
                "-U \"$POSTGRES_USERNAME\" -d postgres -c \"$1\"",
                k_pgpool_port);
  return { .namespace_name = std::move(namespace_name),
           .pod = std::move(pod),
           .container = std::string(k_pgpool_container),
           .argv = { "sh", "-c", script, "sh", std::string(query) } };
}

} // namespace kpg::pg
