#pragma once
// CredentialSource implementations for what a kubeconfig user (or a pod's
// service account) holds directly. The exec plugin source is in exec_plugin.hpp.
// Sources: client-go tools/clientcmd/client_config.go (token wins over
// tokenFile), transport/token_source.go (token files are re-read, because
// bound service account tokens rotate); ../shared/K8S_API.md 1.1, 1.4.

#include "kube/rest_config.hpp"

#include <sys/types.h>

#include <ctime>
#include <mutex>
#include <string>

namespace kpg::kube {

// A fixed credential: a token, a client certificate and key, or both. Never
// changes after construction, hence thread-safe without a lock.
class StaticCredentialSource : public CredentialSource
{
public:
  explicit StaticCredentialSource(Credential credential)
    : m_credential(std::move(credential))
  {
  }
  Credential current() override
  {
    return m_credential;
  }
  void invalidate() override {}

private:
  Credential m_credential;
};

// A bearer token read from a file (kubeconfig tokenFile, the in-cluster service
// account token), re-read whenever the file changes (inode, size or mtime) or
// after invalidate(). Surrounding whitespace is trimmed. `base` may carry a
// client certificate that goes with the token. Thread-safe: current() and
// invalidate() are serialised by a lock.
class TokenFileCredentialSource : public CredentialSource
{
public:
  // `owner` names the token in errors, e.g. `user "ci"` or "the service account".
  TokenFileCredentialSource(std::string path, std::string owner, Credential base = {});
  // Throws kpg::Error (exit code 4) when the file cannot be read or is empty.
  Credential current() override;
  void invalidate() override;

private:
  struct FileIdentity
  {
    ino_t inode = 0;
    off_t size = -1;
    std::timespec mtime{};
    bool operator==(const FileIdentity& other) const;
  };

  std::mutex m_mutex; // guards m_credential and m_read
  std::string m_path;
  std::string m_owner;
  Credential m_credential;
  FileIdentity m_read; // identity of the file when last read; size -1: never read
};

} // namespace kpg::kube
