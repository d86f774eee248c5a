#pragma once
// Prints rendered objects as kubectl does: multi-document YAML separated by
// "---", or one JSON v1 List. Byte-for-byte reproducible for the same objects.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kpg::render {

enum class ManifestFormat { yaml, json };

std::string format_manifests(const std::vector<nlohmann::ordered_json>& objects,
                             ManifestFormat format);

} // namespace kpg::render
