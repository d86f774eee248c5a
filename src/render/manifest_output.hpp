#pragma once
// Prints rendered objects as kubectl does: multi-document YAML separated by
// "---", or one JSON v1 List. Byte-for-byte reproducible for the same objects.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kpg::render {

enum class ManifestFormat { yaml, json };

// Objects (e.g. as the API server returns them) as YAML (yaml-cpp's emitter,
// block style) or as a JSON v1 List.
std::string format_manifests(const std::vector<nlohmann::ordered_json>& objects,
                             ManifestFormat format);

// Rendered YAML documents (render_documents) as one multi-document stream,
// separated by "---" lines, printed as rendered.
std::string join_yaml_documents(const std::vector<std::string>& documents);

} // namespace kpg::render
