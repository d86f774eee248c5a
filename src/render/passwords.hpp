#pragma once
// Generated credentials for the Secrets a cluster needs. Passwords come from
// OpenSSL's CSPRNG (RAND_bytes); the base64 a Secret's data field carries is
// kpg::base64_encode (core/base64.hpp).

#include "core/secret_string.hpp"

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
// 32 characters of [A-Za-z0-9_-] (192 bits less 0.05), the first a letter or
// a digit: pgpool's image hands passwords to pg_md5 as arguments, which reads
// one starting with '-' as an option, and pgpool then never starts (seen in
// kubesim, which runs that entrypoint's steps; two of a cluster's passwords go
// to pg_md5, so about 1 cluster in 32). Redrawn while the first is not. Throws kpg::Error when
// the CSPRNG fails.
class OpenSslPasswordSource final : public PasswordSource
{
public:
  SecretString next() override;
};

} // namespace kpg::render
