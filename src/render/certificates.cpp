#include "render/certificates.hpp"

#include "core/error.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace kpg::render {

namespace {

template<typename T, void (*Free)(T*)>
struct Deleter
{
  void operator()(T* p) const
  {
    Free(p);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

// Throws with the step and OpenSSL's queued reason, clearing the queue.
[[noreturn]] void fail(const char* step)
{
  const unsigned long code = ERR_get_error();
  std::string reason = code != 0 ? ERR_reason_error_string(code) != nullptr
                                     ? ERR_reason_error_string(code)
                                     : fmt::format("error {}", code)
                                 : "no reason given";
  ERR_clear_error();
  throw Error(
    fmt::format("generating the cluster's TLS certificates: {} failed ({})", step, reason));
}

void check(int ok, const char* step)
{
  if (ok != 1) {
    fail(step);
  }
}

KeyPtr new_key()
{
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    fail("EC P-256 key generation");
  }
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value)
{
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) {
    fail("building an X.509 extension");
  }
  check(X509_add_ext(cert, ext.get(), -1), "adding an X.509 extension");
}

// An unsigned certificate for `key` named `common_name`, valid from an hour
// ago (clock skew) for `days`, issued by `issuer` (nullptr: self-issued).
CertPtr new_certificate(EVP_PKEY* key, const std::string& common_name, int days, X509* issuer)
{
  CertPtr cert(X509_new());
  if (!cert) {
    fail("X509_new");
  }
  check(X509_set_version(cert.get(), X509_VERSION_3), "setting the certificate version");
  // A random positive 127-bit serial (RFC 5280 4.1.2.2: at most 20 octets).
  BIGNUM* serial = BN_new();
  if (serial == nullptr || BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) == nullptr) {
    BN_free(serial);
    fail("choosing a serial number");
  }
  BN_free(serial);
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) == nullptr) {
    fail("setting the validity period");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0),
        "setting the subject");
  check(X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name),
        "setting the issuer");
  check(X509_set_pubkey(cert.get(), key), "setting the public key");
  X509* effective_issuer = issuer != nullptr ? issuer : cert.get();
  add_extension(cert.get(), effective_issuer, NID_subject_key_identifier, "hash");
  add_extension(cert.get(), effective_issuer, NID_authority_key_identifier, "keyid:always");
  return cert;
}

void sign(X509* cert, EVP_PKEY* issuer_key)
{
  if (X509_sign(cert, issuer_key, EVP_sha256()) == 0) {
    fail("signing a certificate");
  }
}

std::string certificate_pem(X509* cert)
{
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    fail("writing a certificate as PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

SecretString key_pem(EVP_PKEY* key)
{
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("writing the private key as PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return SecretString(std::string(data, static_cast<std::size_t>(size)));
}

} // namespace

TlsMaterial OpenSslCertificateSource::issue(const CertificateRequest& request)
{
  const auto ca_key = new_key();
  const auto ca = new_certificate(ca_key.get(), fmt::format("{} CA", request.common_name),
                                  request.validity_days, nullptr);
  add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  sign(ca.get(), ca_key.get());

  const auto server_key = new_key();
  const auto server =
    new_certificate(server_key.get(), request.common_name, request.validity_days, ca.get());
  std::string alt_names;
  for (const auto& dns : request.dns_names) {
    alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + dns;
  }
  add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  if (!alt_names.empty()) {
    add_extension(server.get(), ca.get(), NID_subject_alt_name, alt_names);
  }
  sign(server.get(), ca_key.get());
  return TlsMaterial{ certificate_pem(ca.get()), certificate_pem(server.get()),
                      key_pem(server_key.get()) };
}

} // namespace kpg::render
