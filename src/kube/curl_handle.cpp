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

} // namespace kpg::kube
