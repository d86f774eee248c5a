#pragma once
// Timestamps as Kubernetes and Patroni write them (RFC 3339), and as kubectl-pg
// prints them: UTC, second precision, "2026-11-21T16:50:01Z".

#include "core/expected.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace kpg {

using WallTime = std::chrono::system_clock::time_point;

// "2026-11-21T16:50:01Z" (UTC, fractions of a second dropped).
std::string format_rfc3339_utc(WallTime time);

// Parses an RFC 3339 timestamp: "2026-11-21T16:50:01Z" (Kubernetes metadata),
// "2019-09-23T16:57:57+02:00" or "2024-08-28 19:39:26.352526+00:00" (Patroni,
// Python's isoformat). A space may replace the "T"; fractions of a second are
// kept to microseconds; the offset is "Z" or "+hh:mm"/"-hh:mm". The error names
// the text and what was expected.
Expected<WallTime, std::string> parse_rfc3339(std::string_view text);

} // namespace kpg
