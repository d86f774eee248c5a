#include "kube/http.hpp"

#include <algorithm>
#include <cctype>

namespace kpg::kube {

bool header_name_equals(std::string_view a, std::string_view b)
{
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::string> HttpResponse::header(std::string_view name) const
{
  for (const auto& [key, value] : headers) {
    if (header_name_equals(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

std::vector<std::string> HttpResponse::headers_named(std::string_view name) const
{
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (header_name_equals(key, name)) {
      values.push_back(value);
    }
  }
  return values;
}

} // namespace kpg::kube
