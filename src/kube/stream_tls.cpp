#include "kube/stream_tls.hpp"

#include "core/error.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>
#include <openssl/x509v3.h>

namespace kpg::kube {

namespace ssl = boost::asio::ssl;

namespace {

std::string ca_description(const RestConfig& config)
{
  if (config.ca_pem.empty()) {
    return "the system trust store";
  }
  return config.ca_origin.empty() ? std::string("the configured CA")
                                  : fmt::format("the CA from {}", config.ca_origin);
}

} // namespace

ssl::context make_stream_tls_context(const RestConfig& config,
                                     const CredentialSource::Credential& credential)
{
  ssl::context context(ssl::context::tls_client);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code error;
  if (config.ca_pem.empty()) {
    context.set_default_verify_paths(error);
  } else {
    context.add_certificate_authority(boost::asio::buffer(config.ca_pem), error);
  }
  if (error) {
    throw Error(fmt::format("loading {} to verify {}: {}", ca_description(config), config.server,
                            error.message()));
  }
  if (!credential.client_cert_pem.empty()) {
    context.use_certificate_chain(boost::asio::buffer(credential.client_cert_pem.reveal()), error);
    if (!error) {
      context.use_private_key(boost::asio::buffer(credential.client_key_pem.reveal()),
                              ssl::context::pem, error);
    }
    if (error) {
      throw Error(fmt::format("loading the client certificate and key of user {:?}: {}",
                              config.user_name, error.message()));
    }
  }
  context.set_verify_mode(config.insecure_skip_tls_verify ? ssl::verify_none : ssl::verify_peer);
  return context;
}

std::string tls_verified_name(const RestConfig& config, const std::string& host)
{
  return config.tls_server_name.empty() ? host : config.tls_server_name;
}

void configure_tls_connection(SSL* ssl, const std::string& verified_name)
{
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(verified_name, not_an_address);
  if (!not_an_address) {
    X509_VERIFY_PARAM_set1_ip_asc(param, verified_name.c_str());
    return;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  X509_VERIFY_PARAM_set1_host(param, verified_name.c_str(), 0);
  // SSL_set_tlsext_host_name, without the macro's C-style cast.
  SSL_ctrl(
    ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
    const_cast<char*>(verified_name.c_str())); // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

std::string explain_tls_failure(SSL* ssl, const boost::system::error_code& error,
                                const RestConfig& config, const std::string& host_port,
                                const std::string& verified_name)
{
  const long verify_result = SSL_get_verify_result(ssl);
  if (!config.insecure_skip_tls_verify && verify_result != X509_V_OK) {
    return fmt::format("TLS handshake with {} failed: certificate verify failed ({}); the "
                       "server certificate was checked against {} for the name {:?}",
                       host_port, X509_verify_cert_error_string(verify_result),
                       ca_description(config), verified_name);
  }
  return fmt::format("TLS handshake with {} failed: {}", host_port, error.message());
}

} // namespace kpg::kube
