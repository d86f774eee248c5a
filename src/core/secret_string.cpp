#include "core/secret_string.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <utility>

namespace kpg {

SecretString::SecretString(std::string value) : m_value(std::move(value))
{
}

SecretString::SecretString(const SecretString& other) : m_value(other.m_value)
{
}

SecretString::SecretString(SecretString&& other) noexcept : m_value(std::move(other.m_value))
{
  other.wipe();
}

SecretString& SecretString::operator=(const SecretString& other)
{
  if (this != &other) {
    wipe();
    m_value = other.m_value;
  }
  return *this;
}

SecretString& SecretString::operator=(SecretString&& other) noexcept
{
  if (this != &other) {
    wipe();
    m_value = std::move(other.m_value);
    other.wipe();
  }
  return *this;
}

SecretString::~SecretString()
{
  wipe();
}

std::string SecretString::redacted() const
{
  return m_value.empty() ? std::string("<empty>")
                         : fmt::format("<redacted {} bytes>", m_value.size());
}

void SecretString::wipe()
{
  if (!m_value.empty()) {
    OPENSSL_cleanse(m_value.data(), m_value.size());
    m_value.clear();
  }
}

} // namespace kpg
