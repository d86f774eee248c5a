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

// The values the templates see (README "Templates" lists them).
// Passwords and certificates are drawn only with SecretDisclosure::show.
TemplateValues cluster_template_values(const ClusterSpec& spec, PasswordSource& passwords,
                                       CertificateSource& certificates,
                                       SecretDisclosure disclosure);

// Renders every object. The spec must have passed validate_cluster_spec.
RenderedCluster render_cluster(const ClusterSpec& spec, const TemplateSet& templates,
                               PasswordSource& passwords, CertificateSource& certificates,
                               SecretDisclosure disclosure);

} // namespace kpg::render
