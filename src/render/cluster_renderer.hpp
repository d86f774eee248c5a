#pragma once
// Renders a validated ClusterSpec into the Kubernetes objects of one HA
// PostgreSQL cluster (engine patroni: README "What create renders").

#include "render/certificates.hpp"
#include "render/cluster_spec.hpp"
#include "render/manifest_renderer.hpp"
#include "render/passwords.hpp"
#include "render/template_set.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kpg::render {

enum class SecretDisclosure {
  withhold, // Secrets carry k_withheld_password; no password is generated
  show,     // Secrets carry freshly generated passwords (--show-secrets)
};

// What a withheld Secret's password is replaced by: valid where a password
// is, and says how to get the real one.
inline constexpr const char* k_withheld_password = "withheld-rerun-with-show-secrets";
// The annotation that marks a Secret whose password was withheld.
inline constexpr const char* k_withheld_annotation = "pg.kubectl-pg.io/password";

struct RenderedCluster
{
  std::vector<nlohmann::ordered_json> objects; // in template order
  std::vector<std::string> withheld_secrets;   // "namespace/name" of each withheld Secret
};

// The same objects as the YAML text the templates rendered (render_documents):
// what `create -o yaml` prints, without parsing anything per cluster.
struct RenderedDocuments
{
  std::vector<std::string> documents;        // one YAML document per object, in template order
  std::vector<std::string> withheld_secrets; // as in RenderedCluster
};

// The values the templates see (README "Templates" lists them).
// Passwords and certificates are drawn only with SecretDisclosure::show.
TemplateValues cluster_template_values(const ClusterSpec& spec, PasswordSource& passwords,
                                       CertificateSource& certificates,
                                       SecretDisclosure disclosure);

// Renders every object. The spec must have passed validate_cluster_spec.
// Throws kpg::UsageError for a template that fails its proof
// (manifest_renderer.hpp).
RenderedCluster render_cluster(const ClusterSpec& spec, const TemplateSet& templates,
                               PasswordSource& passwords, CertificateSource& certificates,
                               SecretDisclosure disclosure);

// Renders every object as YAML text (join_yaml_documents prints them), with
// no parsing; otherwise as render_cluster.
RenderedDocuments render_cluster_documents(const ClusterSpec& spec, const TemplateSet& templates,
                                           PasswordSource& passwords,
                                           CertificateSource& certificates,
                                           SecretDisclosure disclosure);

} // namespace kpg::render
