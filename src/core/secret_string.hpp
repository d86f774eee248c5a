#pragma once
// A string for secrets (tokens, private keys, passwords): its memory is wiped
// with OPENSSL_cleanse when it is destroyed or reassigned, and it has no
// operator<< so it cannot be logged by accident. Use reveal() at the one place
// the secret is handed to a library (an HTTP header, CURLOPT_SSLKEY_BLOB).

#include <string>
#include <string_view>

namespace kpg {

class SecretString
{
public:
  SecretString() = default;
  explicit SecretString(std::string value);
  SecretString(const SecretString& other);
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(const SecretString& other);
  SecretString& operator=(SecretString&& other) noexcept;
  ~SecretString();

  bool empty() const
  {
    return m_value.empty();
  }
  // The secret itself; never pass it to a logger.
  const std::string& reveal() const
  {
    return m_value;
  }
  // What logs show instead: "<redacted N bytes>" or "<empty>".
  std::string redacted() const;

  friend bool operator==(const SecretString& a, const SecretString& b)
  {
    return a.m_value == b.m_value;
  }

private:
  void wipe();
  std::string m_value;
};

} // namespace kpg
