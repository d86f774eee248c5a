#pragma once
// Generated credentials for the Secrets a cluster needs, and the base64 the
// Secret's data field carries. Passwords come from OpenSSL's CSPRNG
// (RAND_bytes); base64 from OpenSSL's EVP_EncodeBlock.

#include "core/secret_string.hpp"

#include <string>
#include <string_view>

namespace kpg::render {

// Where passwords come from. Production uses OpenSslPasswordSource; tests
// may inject a fixed source to make output reproducible.
class PasswordSource
{
public:
  virtual ~PasswordSource() = default;
  // A new password: printable, safe in a shell word, a YAML scalar and a
  // single-quoted Patroni/pgpool setting.
  virtual SecretString next() = 0;
};

// 24 random bytes from RAND_bytes, base64url-encoded without padding:
// 32 characters of [A-Za-z0-9_-] (192 bits). Throws kpg::Error when the
// CSPRNG fails.
class OpenSslPasswordSource final : public PasswordSource
{
public:
  SecretString next() override;
};

// Standard base64 (RFC 4648, with padding), as a Secret's data field wants.
std::string base64_encode(std::string_view bytes);

} // namespace kpg::render
