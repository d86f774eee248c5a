#pragma once
// Flag values shared by several commands, parsed with the flag's name in the
// error (kpg::UsageError, exit code 2).

#include <chrono>
#include <cstdint>
#include <string>

namespace kpg::cmd {

// "0" (none), whole seconds ("30") or a Go duration ("500ms", "2m", "1m30s"),
// as kubectl's --timeout and --request-timeout.
std::chrono::milliseconds parse_duration_flag(const std::string& flag, const std::string& text);

// A whole number of bytes written as a Kubernetes quantity ("1048576", "1Mi", "16M").
std::uint64_t parse_byte_flag(const std::string& flag, const std::string& text);

} // namespace kpg::cmd
