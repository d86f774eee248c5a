#include "render/passwords.hpp"

#include "core/error.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

namespace kpg::render {

namespace {

constexpr int k_password_bytes = 24;

} // namespace

SecretString OpenSslPasswordSource::next()
{
  std::array<unsigned char, k_password_bytes> random{};
  if (RAND_bytes(random.data(), k_password_bytes) != 1) {
    throw Error("generating a password: OpenSSL's RAND_bytes failed (no entropy source?)");
  }
  std::string encoded = base64_encode(
    std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
  OPENSSL_cleanse(random.data(), random.size());
  // base64url: no '+' or '/', and 24 bytes need no '=' padding.
  std::replace(encoded.begin(), encoded.end(), '+', '-');
  std::replace(encoded.begin(), encoded.end(), '/', '_');
  return SecretString(std::move(encoded));
}

std::string base64_encode(std::string_view bytes)
{
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

} // namespace kpg::render
