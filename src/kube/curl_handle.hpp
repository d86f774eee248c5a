#pragma once
// Small movable RAII owners for libcurl's C handles (as cpr's CurlHolder):
// an easy handle, a share handle, a header list and a parsed URL.

#include <curl/curl.h>

#include <memory>
#include <string>

namespace kpg::kube {

struct CurlEasyDeleter
{
  void operator()(CURL* handle) const
  {
    curl_easy_cleanup(handle);
  }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlShareDeleter
{
  void operator()(CURLSH* handle) const
  {
    curl_share_cleanup(handle);
  }
};
using CurlShare = std::unique_ptr<CURLSH, CurlShareDeleter>;

struct CurlUrlDeleter
{
  void operator()(CURLU* handle) const
  {
    curl_url_cleanup(handle);
  }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

// A curl_slist of request headers, freed on destruction.
class CurlHeaderList
{
public:
  CurlHeaderList() = default;
  CurlHeaderList(const CurlHeaderList&) = delete;
  CurlHeaderList& operator=(const CurlHeaderList&) = delete;
  CurlHeaderList(CurlHeaderList&& other) noexcept
    : m_list(other.m_list)
  {
    other.m_list = nullptr;
  }
  CurlHeaderList& operator=(CurlHeaderList&& other) noexcept;
  ~CurlHeaderList();

  // Appends "Name: value" (curl copies the text). Throws std::bad_alloc on failure.
  void append(const std::string& line);
  curl_slist* get() const
  {
    return m_list;
  }

private:
  curl_slist* m_list = nullptr;
};

} // namespace kpg::kube
