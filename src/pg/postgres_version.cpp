#include "pg/postgres_version.hpp"

#include <fmt/format.h>

namespace kpg::pg {

std::string format_server_version(std::int64_t server_version_num)
{
  if (server_version_num <= 0) {
    return "";
  }
  const std::int64_t major = server_version_num / 10000;
  if (major >= 10) {
    return fmt::format("{}.{}", major, server_version_num % 10000);
  }
  return fmt::format("{}.{}.{}", major, (server_version_num / 100) % 100, server_version_num % 100);
}

} // namespace kpg::pg
