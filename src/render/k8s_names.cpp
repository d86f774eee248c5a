#include "render/k8s_names.hpp"

#include <cstddef>

namespace kpg::render {

namespace {

bool is_lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_alnum(char c)
{
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, up to 63 characters.
bool is_name_part(std::string_view text)
{
  if (text.empty() || text.size() > k_label_value_max || !is_alnum(text.front()) ||
      !is_alnum(text.back())) {
    return false;
  }
  for (const char c : text) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

} // namespace

bool is_dns1123_label(std::string_view text)
{
  if (text.empty() || text.size() > k_dns1123_label_max || !is_lower_alnum(text.front()) ||
      !is_lower_alnum(text.back())) {
    return false;
  }
  for (const char c : text) {
    if (!is_lower_alnum(c) && c != '-') {
      return false;
    }
  }
  return true;
}

bool is_dns1035_label(std::string_view text)
{
  return is_dns1123_label(text) && text.front() >= 'a' && text.front() <= 'z';
}

bool is_dns1123_subdomain(std::string_view text)
{
  if (text.empty() || text.size() > k_dns1123_subdomain_max) {
    return false;
  }
  std::size_t start = 0;
  while (true) {
    const auto dot = text.find('.', start);
    if (!is_dns1123_label(text.substr(start, dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

bool is_qualified_name(std::string_view text)
{
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return is_name_part(text);
  }
  return is_dns1123_subdomain(text.substr(0, slash)) && is_name_part(text.substr(slash + 1));
}

bool is_label_value(std::string_view text)
{
  return text.empty() || is_name_part(text);
}

} // namespace kpg::render
