#pragma once
// The cluster's TLS material: a private CA that signs one server certificate
// used by every member (Spilo: SSL_CERTIFICATE / SSL_PRIVATE_KEY) and by
// pgpool-II (/config/tls/tls.{crt,key}, root.crt = the CA).
//
// Why a CA of our own: pgpool-II's image always configures
// ssl_ca_cert = <install>/tls/root.crt when ssl is on (pgpool2_on_k8s
// entrypoint.sh, generate_certs). Without that file pgpool disables TLS towards
// clients and towards the backends (pool_ssl.c: SSL_ServerSide_init and
// init_ssl_ctx fail), and Spilo's pg_hba rejects non-TLS connections. With it,
// pgpool verifies each backend's certificate against root.crt
// (SSL_VERIFY_PEER), so the members' certificate must be signed by that CA.
//
// Keys: ECDSA P-256; signatures SHA-256; the CA's private key is discarded
// once the server certificate is signed (nothing else is ever issued: to
// rotate, delete the <name>-tls Secret and re-run create). OpenSSL 3 (EVP,
// X509v3 extensions from the configuration strings of x509v3_config(5)).

#include "core/secret_string.hpp"

#include <string>
#include <vector>

namespace kpg::render {

struct CertificateRequest
{
  std::string common_name;            // the server certificate's subject CN
  std::vector<std::string> dns_names; // subjectAltName DNS entries ("*.x-headless.ns.svc" allowed)
  int validity_days = 3650;
};

struct TlsMaterial
{
  std::string ca_certificate;     // PEM: the CA (root.crt, ca.crt)
  std::string server_certificate; // PEM: signed by the CA
  SecretString server_key;        // PEM (PKCS#8): the server certificate's private key
};

// Where TLS material comes from; tests may inject a cheaper or fixed source.
class CertificateSource
{
public:
  virtual ~CertificateSource() = default;
  virtual TlsMaterial issue(const CertificateRequest& request) = 0;
};

// A fresh CA and server certificate from OpenSSL on each call. Throws
// kpg::Error naming the OpenSSL step that failed.
class OpenSslCertificateSource final : public CertificateSource
{
public:
  TlsMaterial issue(const CertificateRequest& request) override;
};

} // namespace kpg::render
