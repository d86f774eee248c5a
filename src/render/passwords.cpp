#include "render/passwords.hpp"

#include "core/base64.hpp"
#include "core/error.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace kpg::render {

namespace {

constexpr int k_password_bytes = 24;

} // namespace

SecretString OpenSslPasswordSource::next()
{
  // base64 turns '+' and '/' into '-' and '_' (base64url) at the same places,
  // so a leading '+' or '/' is what would make a leading '-' or '_'.
  const auto alphanumeric = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  std::array<unsigned char, k_password_bytes> random{};
  std::string encoded;
  do {
    if (!encoded.empty()) {
      OPENSSL_cleanse(encoded.data(), encoded.size());
    }
    if (RAND_bytes(random.data(), k_password_bytes) != 1) {
      throw Error("generating a password: OpenSSL's RAND_bytes failed (no entropy source?)");
    }
    encoded =
      base64_encode(std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
    OPENSSL_cleanse(random.data(), random.size());
  } while (!alphanumeric(encoded.front()));
  // base64url: no '+' or '/', and 24 bytes need no '=' padding.
  std::replace(encoded.begin(), encoded.end(), '+', '-');
  std::replace(encoded.begin(), encoded.end(), '/', '_');
  return SecretString(std::move(encoded));
}

} // namespace kpg::render
