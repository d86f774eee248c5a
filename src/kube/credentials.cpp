#include "kube/credentials.hpp"

#include "core/error.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kpg::kube {

bool TokenFileCredentialSource::FileIdentity::operator==(const FileIdentity& other) const
{
  return inode == other.inode && size == other.size && mtime.tv_sec == other.mtime.tv_sec &&
         mtime.tv_nsec == other.mtime.tv_nsec;
}

TokenFileCredentialSource::TokenFileCredentialSource(std::string path, std::string owner,
                                                     Credential base)
  : m_path(std::move(path))
  , m_owner(std::move(owner))
  , m_credential(std::move(base))
{
}

CredentialSource::Credential TokenFileCredentialSource::current()
{
  const std::lock_guard lock(m_mutex);
  struct stat info
  {};
  if (::stat(m_path.c_str(), &info) != 0) {
    throw Error(
      fmt::format("reading the token file {} of {}: {}", m_path, m_owner, std::strerror(errno)),
      ExitCode::unreachable);
  }
  const FileIdentity now{ info.st_ino, info.st_size, info.st_mtim };
  if (now == m_read && !m_credential.bearer_token.empty()) {
    return m_credential;
  }
  std::ifstream in(m_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  const auto end = token.find_last_not_of(" \t\r\n");
  token.erase(end == std::string::npos ? 0 : end + 1);
  token.erase(0, token.find_first_not_of(" \t\r\n"));
  if (!in || token.empty()) {
    throw Error(fmt::format("reading the token file {} of {}: the file is empty or unreadable",
                            m_path, m_owner),
                ExitCode::unreachable);
  }
  m_credential.bearer_token = SecretString(std::move(token));
  m_read = now;
  return m_credential;
}

void TokenFileCredentialSource::invalidate()
{
  const std::lock_guard lock(m_mutex);
  m_read = FileIdentity{};
}

} // namespace kpg::kube
