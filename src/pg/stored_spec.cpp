#include "pg/stored_spec.hpp"

#include "kube/resource.hpp"
#include "kube/resource_client.hpp"
#include "render/object_names.hpp"
#include "render/spec_document.hpp"

#include <fmt/format.h>

namespace kpg::pg {

kube::Result<std::optional<render::SpecFile>> read_stored_spec(kube::RestClient& client,
                                                               const std::string& namespace_name,
                                                               const std::string& cluster)
{
  const auto name = render::ObjectNames(cluster).spec_config;
  const kube::ResourceClient config_maps(client, kube::builtin_resource("v1", "ConfigMap"),
                                         namespace_name);
  auto config_map = config_maps.get(name);
  if (!config_map) {
    if (config_map.error().is_not_found()) {
      return std::optional<render::SpecFile>();
    }
    return unexpected(config_map.error());
  }
  const auto& data = (*config_map).value("data", nlohmann::json::object());
  const auto text = data.find(render::k_stored_spec_key);
  if (text == data.end() || !text->is_string()) {
    return std::optional<render::SpecFile>();
  }
  return std::optional<render::SpecFile>(render::SpecFile{
    text->get<std::string>(), fmt::format("configmap {}/{}", namespace_name, name) });
}

} // namespace kpg::pg
