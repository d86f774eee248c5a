#include "core/base64.hpp"

#include <openssl/evp.h>

#include <memory>

namespace kpg {

namespace {

struct EncodeContextDeleter
{
  void operator()(EVP_ENCODE_CTX* ctx) const
  {
    EVP_ENCODE_CTX_free(ctx);
  }
};
using EncodeContext = std::unique_ptr<EVP_ENCODE_CTX, EncodeContextDeleter>;

const unsigned char* as_bytes(std::string_view text)
{
  return reinterpret_cast<const unsigned char*>(text.data());
}

} // namespace

std::string base64_encode(std::string_view bytes)
{
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), as_bytes(bytes),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

Expected<std::string, std::string> base64_decode(std::string_view text)
{
  EncodeContext ctx(EVP_ENCODE_CTX_new());
  if (!ctx) {
    return unexpected(std::string("out of memory"));
  }
  EVP_DecodeInit(ctx.get());
  std::string out(3 * (text.size() / 4) + 3, '\0');
  int written = 0;
  auto* dest = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_DecodeUpdate(ctx.get(), dest, &written, as_bytes(text), static_cast<int>(text.size())) <
      0) {
    return unexpected(std::string("illegal base64 data"));
  }
  int final_written = 0;
  if (EVP_DecodeFinal(ctx.get(), dest + written, &final_written) < 0) {
    return unexpected(std::string("illegal base64 data"));
  }
  out.resize(static_cast<std::size_t>(written + final_written));
  return out;
}

} // namespace kpg
