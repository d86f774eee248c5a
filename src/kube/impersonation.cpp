#include "kube/impersonation.hpp"

#include "kube/curl_handle.hpp"

namespace kpg::kube {

std::vector<std::pair<std::string, std::string>> impersonation_headers(
  const Impersonation& impersonation)
{
  std::vector<std::pair<std::string, std::string>> headers;
  if (impersonation.empty()) {
    return headers;
  }
  headers.emplace_back("Impersonate-User", impersonation.user_name);
  if (!impersonation.uid.empty()) {
    headers.emplace_back("Impersonate-Uid", impersonation.uid);
  }
  for (const auto& group : impersonation.groups) {
    headers.emplace_back("Impersonate-Group", group);
  }
  for (const auto& [key, values] : impersonation.extra) {
    for (const auto& value : values) {
      headers.emplace_back("Impersonate-Extra-" + url_escape(key), value);
    }
  }
  return headers;
}

} // namespace kpg::kube
