#pragma once
// Small movable RAII owners for libcurl's C handles (as cpr's CurlHolder):
// an easy handle, a share handle, a header list, a parsed URL and a string
// libcurl allocated; and the two URL helpers built on them.

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

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

// A string libcurl allocated (curl_url_get, curl_easy_escape): curl_free.
struct CurlFreeDeleter
{
  void operator()(char* text) const
  {
    curl_free(text);
  }
};
using CurlString = std::unique_ptr<char, CurlFreeDeleter>;

// One part of a parsed URL (curl_url_get with `flags`, e.g. CURLU_DEFAULT_PORT);
// empty when the URL has no such part.
std::string url_part(CURLU* url, CURLUPart part, unsigned int flags = 0);

// Percent-encodes every byte but RFC 3986's unreserved ones (curl_easy_escape),
// as a query value or a single path segment needs. Empty on allocation failure.
std::string url_escape(std::string_view text);

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
