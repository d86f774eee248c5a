#pragma once
// PostgreSQL's server_version_num (what Patroni reports as "server_version").

#include <cstdint>
#include <string>

namespace kpg::pg {

// 150004 -> "15.4", 160000 -> "16.0", 90624 -> "9.6.24" (before 10 the major
// version had two parts); 0 or less -> "" (unknown).
std::string format_server_version(std::int64_t server_version_num);

} // namespace kpg::pg
