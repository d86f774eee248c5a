#pragma once
// TLS for the API server's streaming endpoints (exec; later port-forward), built
// from a RestConfig in memory: the CA PEM and the client certificate and key never
// touch the filesystem. Verification is always on unless the RestConfig says
// insecure_skip_tls_verify. The name checked (and sent as SNI, unless it is an IP
// address) is tls_server_name, else the server URL's host, as client-go does
// (rest/transport.go, crypto/tls ServerName).

#include "kube/rest_config.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>

#include <string>

namespace kpg::kube {

// A client TLS context: the CA (or the system store when ca_pem is empty), the
// client certificate chain and key when the credential is one, verify_peer unless
// insecure. Throws kpg::Error naming the CA origin or the kubeconfig user when a
// PEM does not load.
boost::asio::ssl::context make_stream_tls_context(const RestConfig& config,
                                                  const CredentialSource::Credential& credential);

// The name a connection to `host` must present: tls_server_name or host.
std::string tls_verified_name(const RestConfig& config, const std::string& host);

// Per connection, before the handshake: SNI (for DNS names) and the host name or
// IP address the certificate must match.
void configure_tls_connection(SSL* ssl, const std::string& verified_name);

// One line explaining a failed handshake with `host_port`: the verification
// failure OpenSSL recorded (unknown CA, expired, hostname mismatch), the CA that
// was used and the name that was checked; or the transport error.
std::string explain_tls_failure(SSL* ssl, const boost::system::error_code& error,
                                const RestConfig& config, const std::string& host_port,
                                const std::string& verified_name);

} // namespace kpg::kube
