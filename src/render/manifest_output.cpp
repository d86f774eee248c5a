#include "render/manifest_output.hpp"

#include "core/yaml_json.hpp"

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
  std::vector<std::string> documents;
  documents.reserve(objects.size());
  for (const auto& object : objects) {
    documents.push_back(json_to_yaml(object));
  }
  return join_yaml_documents(documents);
}

std::string join_yaml_documents(const std::vector<std::string>& documents)
{
  std::string out;
  for (const auto& document : documents) {
    if (!out.empty()) {
      out += "---\n";
    }
    out += document;
  }
  return out;
}

} // namespace kpg::render
