#pragma once
// Standard (RFC 4648, padded) base64 as Go's encoding/base64.StdEncoding: the
// encoding of kubeconfig `*-data` fields, of ExecCredential
// `certificate-authority-data` and of a Secret's `data` values. Both
// directions go through OpenSSL's EVP codec (EVP_EncodeBlock, EVP_Decode*).

#include "core/expected.hpp"

#include <string>
#include <string_view>

namespace kpg {

// Encodes with '=' padding and no line breaks.
std::string base64_encode(std::string_view bytes);

// Decodes padded base64; whitespace and newlines are ignored (OpenSSL's rule).
// Error: "illegal base64 data".
Expected<std::string, std::string> base64_decode(std::string_view text);

} // namespace kpg
