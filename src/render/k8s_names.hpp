#pragma once
// Kubernetes naming rules, as the API server enforces them
// (k8s.io/apimachinery/pkg/util/validation/validation.go).

#include <string_view>

namespace kpg::render {

inline constexpr std::size_t k_dns1123_label_max = 63;
inline constexpr std::size_t k_dns1123_subdomain_max = 253;
inline constexpr std::size_t k_label_value_max = 63;

// RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters
// (Namespace names, pod hostnames).
bool is_dns1123_label(std::string_view text);
// RFC 1035 label: like an RFC 1123 label but starting with a letter
// (Service names).
bool is_dns1035_label(std::string_view text);
// RFC 1123 subdomain: dot-separated labels, at most 253 characters
// (most object names, StorageClass names).
bool is_dns1123_subdomain(std::string_view text);
// A qualified name: [prefix/]name, prefix a DNS subdomain, name at most 63
// characters of [A-Za-z0-9._-] starting and ending alphanumeric
// (label and annotation keys).
bool is_qualified_name(std::string_view text);
// A label value: empty, or at most 63 characters of [A-Za-z0-9._-] starting
// and ending alphanumeric.
bool is_label_value(std::string_view text);

} // namespace kpg::render
