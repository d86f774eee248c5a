#include "kube/curl_handle.hpp"

#include <new>

namespace kpg::kube {

CurlHeaderList& CurlHeaderList::operator=(CurlHeaderList&& other) noexcept
{
  if (this != &other) {
    curl_slist_free_all(m_list);
    m_list = other.m_list;
    other.m_list = nullptr;
  }
  return *this;
}

CurlHeaderList::~CurlHeaderList()
{
  curl_slist_free_all(m_list);
}

void CurlHeaderList::append(const std::string& line)
{
  curl_slist* grown = curl_slist_append(m_list, line.c_str());
  if (grown == nullptr) {
    throw std::bad_alloc();
  }
  m_list = grown;
}

std::string url_part(CURLU* url, CURLUPart part, unsigned int flags)
{
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, flags) != CURLUE_OK) {
    return {};
  }
  const CurlString owned(raw);
  return owned ? std::string(owned.get()) : std::string();
}

std::string url_escape(std::string_view text)
{
  const CurlString escaped(curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size())));
  return escaped ? std::string(escaped.get()) : std::string();
}

} // namespace kpg::kube
