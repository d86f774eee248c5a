#include "core/yaml_json.hpp"
#include "render/certificates.hpp"
#include "render/spec_document.hpp"
#include "render/spec_loader.hpp"

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

using kpg::json_to_yaml;
using namespace kpg::render;

TEST_CASE("cluster_spec_document")
{
  SpecOverrides flags;
  flags.name = "orders";
  flags.namespace_name = "shop";
  flags.members = 5;
  flags.storage_class = "fast";
  flags.parameters = { { "work_mem", "64MB" } };
  flags.labels = { { "team", "payments" } };
  const auto loaded = load_cluster_spec(std::nullopt, flags, "default");

  SUBCASE("reads back as the same spec")
  {
    const auto yaml = json_to_yaml(cluster_spec_document(loaded.spec));
    const auto again = load_cluster_spec(SpecFile{ yaml, "orders-spec" }, {}, "default");
    CHECK(json_to_yaml(cluster_spec_document(again.spec)) == yaml);
    CHECK(again.spec.members == 5);
    CHECK(again.spec.storage.storage_class == "fast");
    CHECK(again.spec.postgresql.parameters.at("work_mem") == "64MB");
    CHECK(again.spec.labels.at("team") == "payments");
  }

  SUBCASE("leaves out what is not set")
  {
    const auto doc = cluster_spec_document(loaded.spec);
    CHECK_FALSE(doc["spec"].contains("images"));
    CHECK_FALSE(doc["spec"]["resources"]["limits"].contains("cpu"));
    CHECK(doc["spec"]["resources"]["limits"]["memory"] == "1Gi");
  }
}

TEST_CASE("OpenSslCertificateSource::issue")
{
  OpenSslCertificateSource source;
  const auto material =
    source.issue({ "orders.shop", { "orders-pgpool", "*.orders-headless.shop.svc" } });
  const auto read_cert = [](const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return cert;
  };
  X509* ca = read_cert(material.ca_certificate);
  X509* server = read_cert(material.server_certificate);
  REQUIRE(ca != nullptr);
  REQUIRE(server != nullptr);
  // The server certificate is signed by the CA, and names the Services.
  EVP_PKEY* ca_key = X509_get0_pubkey(ca);
  CHECK(X509_verify(server, ca_key) == 1);
  CHECK(X509_check_host(server, "orders-pgpool", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(server, "orders-1.orders-headless.shop.svc", 0, 0, nullptr) == 1);
  CHECK(X509_check_ca(ca) == 1);
  CHECK(X509_check_ca(server) == 0);
  CHECK(material.server_key.reveal().rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  X509_free(ca);
  X509_free(server);
}
