#pragma once

#include <string_view>

namespace kpg {

// The release version, e.g. "0.1.0" (from CMakeLists.txt's project()).
constexpr std::string_view k_version = KUBECTL_PG_VERSION;

} // namespace kpg
