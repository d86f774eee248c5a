#include "render/manifest_output.hpp"

#include "render/yaml_json.hpp"

namespace kpg::render {

std::string format_manifests(const std::vector<nlohmann::ordered_json>& objects,
                             ManifestFormat format)
{
  if (format == ManifestFormat::json) {
    nlohmann::ordered_json list = {
      {"apiVersion", "v1"},
      {"items", objects},
      {"kind", "List"},
      {"metadata", {{"resourceVersion", ""}}},
    };
    return list.dump(4) + "\n";
  }
  std::string out;
  for (const auto& object : objects) {
    if (!out.empty()) {
      out += "---\n";
    }
    out += json_to_yaml(object);
  }
  return out;
}

} // namespace kpg::render
