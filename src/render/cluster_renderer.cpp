#include "render/cluster_renderer.hpp"

#include "core/base64.hpp"
#include "core/yaml_json.hpp"
#include "render/images.hpp"
#include "render/k8s_names.hpp"
#include "render/labels.hpp"
#include "render/object_names.hpp"
#include "render/spec_document.hpp"
#include "render/spec_validation.hpp"

#include <fmt/format.h>

#include <array>

namespace kpg::render {

namespace {

using Json = nlohmann::ordered_json;

// A label key or value of render/labels.hpp as a JSON string.
std::string str(std::string_view text)
{
  return std::string(text);
}

// Namespaces every cluster has; never rendered as objects.
bool is_builtin_namespace(const std::string& name)
{
  return name == "default" || name == "kube-system" || name == "kube-public" ||
         name == "kube-node-lease";
}

// The image's tag when it is a valid label value ("4.4.3"), else "".
std::string image_tag(const std::string& image)
{
  if (image.find('@') != std::string::npos) {
    return {};
  }
  const auto colon = image.rfind(':');
  if (colon == std::string::npos || image.find('/', colon) != std::string::npos) {
    return {};
  }
  auto tag = image.substr(colon + 1);
  return is_label_value(tag) ? tag : std::string();
}

// Patroni's dynamic configuration at bootstrap, merged by Spilo over its own
// defaults (SPILO_CONFIGURATION). Later changes go through `patronictl
// edit-config`: Patroni reads bootstrap.dcs only when it initializes.
std::string spilo_configuration(const ClusterSpec& spec)
{
  Json parameters = Json::object();
  parameters["max_connections"] = effective_max_connections(spec);
  for (const auto& [name, value] : spec.postgresql.parameters) {
    parameters[name] = value;
  }
  const auto mode = spec.postgresql.synchronous_mode;
  Json dcs = {
    {"synchronous_mode", mode != SynchronousMode::off},
    {"synchronous_mode_strict", mode == SynchronousMode::strict},
    {"postgresql", {{"parameters", parameters}}},
  };
  return Json{{"bootstrap", {{"dcs", dcs}}}}.dump();
}

enum class Component { database, pooler };

struct Credential
{
  const std::string* secret_name;
  const char* username;
  Component component; // whose labels the Secret carries
};

// One Secret per credential, in this order.
std::array<Credential, 5> credentials(const ObjectNames& names)
{
  return {{
    {&names.superuser_secret, "postgres", Component::database},
    {&names.replication_secret, "standby", Component::database},
    {&names.patroni_api_secret, "patroni", Component::database},
    {&names.pgpool_secret, "pgpool", Component::pooler},
    {&names.pgpool_admin_secret, "pcpadmin", Component::pooler},
  }};
}

// "namespace/name" of each Secret whose data is withheld: the credentials'
// Secrets, then the TLS Secret (add_tls_secret), in template order.
std::vector<std::string> withheld_secrets(const ClusterSpec& spec, SecretDisclosure disclosure)
{
  std::vector<std::string> out;
  if (disclosure == SecretDisclosure::withhold) {
    const ObjectNames names(spec.name);
    for (const auto& credential : credentials(names)) {
      out.push_back(fmt::format("{}/{}", spec.namespace_name, *credential.secret_name));
    }
    out.push_back(fmt::format("{}/{}", spec.namespace_name, names.tls_secret));
  }
  return out;
}

void add_secrets(TemplateValues& values, const ClusterSpec& spec, const ObjectNames& names,
                 const Json& database_labels, const Json& pooler_labels,
                 PasswordSource& passwords, SecretDisclosure disclosure)
{
  for (const auto& credential : credentials(names)) {
    TemplateValues item;
    item.set_string("secret_name", *credential.secret_name);
    item.set_json("secret_labels",
                  credential.component == Component::database ? database_labels : pooler_labels);
    Json annotations(spec.annotations);
    std::string password_b64;
    if (disclosure == SecretDisclosure::show) {
      const auto password = passwords.next();
      password_b64 = base64_encode(password.reveal());
    } else {
      annotations[k_withheld_annotation] = "withheld";
      password_b64 = base64_encode(k_withheld_password);
    }
    item.set_flag("secret_has_annotations", !annotations.empty());
    item.set_json("secret_annotations", annotations);
    item.set_string("username_b64", base64_encode(credential.username));
    item.set_string("password_b64", password_b64);
    values.add_item("secrets", item);
  }
}

// The names clients may use to reach the members and pgpool, short and
// fully qualified (cluster.local, the default cluster domain).
std::vector<std::string> tls_dns_names(const ClusterSpec& spec, const ObjectNames& names)
{
  std::vector<std::string> out;
  for (const auto* service : {&names.pgpool, &names.primary_service, &names.replica_service}) {
    out.push_back(*service);
    out.push_back(fmt::format("{}.{}", *service, spec.namespace_name));
    out.push_back(fmt::format("{}.{}.svc", *service, spec.namespace_name));
    out.push_back(fmt::format("{}.{}.svc.cluster.local", *service, spec.namespace_name));
  }
  out.push_back(fmt::format("*.{}.{}.svc", names.headless_service, spec.namespace_name));
  out.push_back(
    fmt::format("*.{}.{}.svc.cluster.local", names.headless_service, spec.namespace_name));
  out.emplace_back("localhost");
  return out;
}

void add_tls_secret(TemplateValues& values, const ClusterSpec& spec, const ObjectNames& names,
                    CertificateSource& certificates, SecretDisclosure disclosure)
{
  Json annotations(spec.annotations);
  std::string ca_b64, crt_b64, key_b64;
  if (disclosure == SecretDisclosure::show) {
    const auto material = certificates.issue(CertificateRequest{
      fmt::format("{}.{}", spec.name, spec.namespace_name), tls_dns_names(spec, names)});
    ca_b64 = base64_encode(material.ca_certificate);
    crt_b64 = base64_encode(material.server_certificate);
    key_b64 = base64_encode(material.server_key.reveal());
  } else {
    annotations[k_withheld_annotation] = "withheld";
    ca_b64 = crt_b64 = key_b64 = base64_encode(k_withheld_password);
  }
  values.set_string("tls_secret", names.tls_secret);
  values.set_flag("tls_secret_has_annotations", !annotations.empty());
  values.set_json("tls_secret_annotations", annotations);
  values.set_string("ca_crt_b64", ca_b64);
  values.set_string("tls_crt_b64", crt_b64);
  values.set_string("tls_key_b64", key_b64);
}

} // namespace

TemplateValues cluster_template_values(const ClusterSpec& spec, PasswordSource& passwords,
                                       CertificateSource& certificates,
                                       SecretDisclosure disclosure)
{
  const ObjectNames names(spec.name);
  const auto images = resolve_images(spec);
  TemplateValues values;

  values.set_string("name", spec.name);
  values.set_string("namespace", spec.namespace_name);
  values.set_flag("create_namespace", spec.namespace_policy == NamespacePolicy::create &&
                                        !is_builtin_namespace(spec.namespace_name));

  // Labels: kubectl-pg's (app.kubernetes.io conventions), then the user's
  // (validation keeps the user's out of app.kubernetes.io/).
  const auto labels = [&spec](std::string_view name, std::string_view component,
                              const std::string& version) {
    Json out = Json::object();
    if (!name.empty()) {
      out[str(k_label_name)] = name;
    }
    out[str(k_label_instance)] = spec.name;
    if (!component.empty()) {
      out[str(k_label_component)] = component;
      out[str(k_label_engine)] = to_string(spec.engine);
    }
    out[str(k_label_part_of)] = spec.name;
    out[str(k_label_managed_by)] = k_managed_by_value;
    if (!version.empty()) {
      out[str(k_label_version)] = version;
    }
    for (const auto& [key, value] : spec.labels) {
      out[key] = value;
    }
    return out;
  };
  const Json cluster_labels = labels({}, {}, "");
  const Json database_labels = labels(k_name_postgresql, k_component_database,
                                      std::to_string(spec.postgres_version));
  const Json pooler_labels = labels(k_name_pgpool, k_component_pooler, image_tag(images.pgpool));
  values.set_json("labels_cluster", cluster_labels);
  values.set_json("labels_database", database_labels);
  values.set_json("labels_pooler", pooler_labels);
  const Json database_selector{ { str(k_label_name), k_name_postgresql },
                                { str(k_label_instance), spec.name } };
  values.set_json("selector_database", database_selector);
  Json primary_selector = database_selector;
  Json replica_selector = database_selector;
  primary_selector[str(k_label_role)] = k_role_value_master;
  replica_selector[str(k_label_role)] = k_role_value_replica;
  values.set_json("selector_primary", primary_selector);
  values.set_json("selector_replica", replica_selector);
  values.set_string("role_label", str(k_label_role));
  values.set_string("leader_label_value", str(k_role_value_master));
  values.set_json("selector_pooler", Json{ { str(k_label_name), k_name_pgpool },
                                           { str(k_label_instance), spec.name } });
  // Patroni finds its pods by these labels plus scope label = cluster name.
  values.set_string("patroni_labels", Json{ { str(k_label_name), k_name_postgresql } }.dump());
  values.set_string("patroni_scope_label", str(k_label_instance));
  values.set_flag("has_annotations", !spec.annotations.empty());
  values.set_json("annotations", Json(spec.annotations));

  values.set_string("service_account", names.service_account);
  values.set_string("role", names.role);
  values.set_string("role_binding", names.role_binding);
  values.set_string("headless_service", names.headless_service);
  values.set_string("primary_service", names.primary_service);
  values.set_string("replica_service", names.replica_service);
  values.set_string("pgpool_name", names.pgpool);
  values.set_string("patroni_config", names.patroni_config);
  values.set_string("superuser_secret", names.superuser_secret);
  values.set_string("replication_secret", names.replication_secret);
  values.set_string("pgpool_secret", names.pgpool_secret);
  values.set_string("pgpool_admin_secret", names.pgpool_admin_secret);
  values.set_string("patroni_api_secret", names.patroni_api_secret);
  values.set_string("members_pdb", names.members_pdb);
  values.set_string("pgpool_pdb", names.pgpool_pdb);
  values.set_string("network_policy", names.network_policy);
  values.set_string("spec_config", names.spec_config);
  values.set_string("cluster_spec", json_to_yaml(cluster_spec_document(spec)));

  values.set_int("members", spec.members);
  values.set_string("postgres_version", std::to_string(spec.postgres_version));
  values.set_string("spilo_image", images.spilo);
  values.set_string("pgpool_image", images.pgpool);
  values.set_string("storage_size", spec.storage.size);
  values.set_flag("has_storage_class", !spec.storage.storage_class.empty());
  values.set_string("storage_class", spec.storage.storage_class);
  values.set_json("resources_database", resources_document(spec.resources));
  values.set_json("resources_pooler", resources_document(spec.pgpool.resources));
  values.set_string("spilo_configuration", spilo_configuration(spec));
  values.set_flag("anti_affinity_required", spec.anti_affinity == AntiAffinity::required);

  values.set_int("pgpool_replicas", spec.pgpool.replicas);
  values.set_string("num_init_children", std::to_string(spec.pgpool.num_init_children));
  values.set_string("max_pool", std::to_string(spec.pgpool.max_pool));
  values.set_string("primary_host",
                    fmt::format("{}.{}.svc", names.primary_service, spec.namespace_name));
  values.set_string("replica_host",
                    fmt::format("{}.{}.svc", names.replica_service, spec.namespace_name));
  // Without standbys the replica Service has no endpoints: send no reads there.
  values.set_string("replica_weight", spec.members > 1 ? "1" : "0");
  values.set_string("service_type", to_string(spec.service_type));

  add_secrets(values, spec, names, database_labels, pooler_labels, passwords, disclosure);
  add_tls_secret(values, spec, names, certificates, disclosure);
  return values;
}

RenderedDocuments render_cluster_documents(const ClusterSpec& spec, const TemplateSet& templates,
                                           PasswordSource& passwords,
                                           CertificateSource& certificates,
                                           SecretDisclosure disclosure)
{
  return {render_documents(templates,
                           cluster_template_values(spec, passwords, certificates, disclosure)),
          withheld_secrets(spec, disclosure)};
}

RenderedCluster render_cluster(const ClusterSpec& spec, const TemplateSet& templates,
                               PasswordSource& passwords, CertificateSource& certificates,
                               SecretDisclosure disclosure)
{
  auto rendered = render_cluster_documents(spec, templates, passwords, certificates, disclosure);
  return {parse_documents(rendered.documents), std::move(rendered.withheld_secrets)};
}

} // namespace kpg::render
