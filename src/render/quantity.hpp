#pragma once
// Kubernetes resource quantities ("500m", "2", "1.5Gi", "1e3"), as defined by
// k8s.io/apimachinery/pkg/api/resource/quantity.go:
//   <quantity> ::= <signedNumber><suffix>
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E
//                | e<signedNumber> | E<signedNumber>

#include <optional>
#include <string_view>

namespace kpg::render {

// The quantity's value in base units (cores, bytes); std::nullopt when the
// text is not a quantity. Precise enough to compare requests with limits.
std::optional<long double> parse_quantity(std::string_view text);

} // namespace kpg::render
