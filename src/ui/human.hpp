#pragma once
// Quantities as people read them in tables.

#include <chrono>
#include <cstdint>
#include <string>

namespace kpg::ui {

// An age as kubectl's AGE column shows it (apimachinery's
// pkg/util/duration.HumanDuration): "45s", "3m20s", "15m", "5h12m", "20h",
// "3d4h", "30d", "2y15d", "9y"; "0s" for up to a second in the future (clock
// skew), "<invalid>" beyond that.
std::string format_age(std::chrono::seconds age);

// Bytes with IEC units and one decimal: "0 B", "512 B", "1.5 KiB", "20.0 MiB",
// "3.2 GiB", "1.0 TiB".
std::string format_bytes(std::uint64_t bytes);

} // namespace kpg::ui
