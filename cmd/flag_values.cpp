#include "cmd/flag_values.hpp"

#include "core/error.hpp"
#include "kube/client_config.hpp"
#include "render/quantity.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace kpg::cmd {

std::chrono::milliseconds parse_duration_flag(const std::string& flag, const std::string& text)
{
  try {
    return kube::parse_request_timeout(text);
  } catch (const UsageError&) {
    throw UsageError(fmt::format("invalid {} \"{}\": write 0, whole seconds, or a duration such "
                                 "as 500ms, 30s, 2m or 1m30s",
                                 flag, text));
  }
}

std::uint64_t parse_byte_flag(const std::string& flag, const std::string& text)
{
  const auto value = render::parse_quantity(text);
  if (!value || *value < 0 || *value != std::floor(*value) ||
      *value > static_cast<long double>(std::numeric_limits<std::uint64_t>::max())) {
    throw UsageError(fmt::format("invalid {} \"{}\": write a whole number of bytes, plain or "
                                 "as a quantity (1048576, 1Mi, 16Mi, 1Gi)",
                                 flag, text));
  }
  return static_cast<std::uint64_t>(*value);
}

} // namespace kpg::cmd
