#pragma once
// Conversions between yaml-cpp trees and nlohmann::ordered_json documents,
// keeping key order: the one JSON->YAML writer behind rendered manifests
// (render/) and -o yaml (ui/printer.hpp).

#include <nlohmann/json.hpp>

#include <string>
#include <yaml-cpp/yaml.h>

namespace kpg {

// A YAML tree as JSON. Quoted scalars are strings; plain scalars resolve by
// the YAML 1.2 core schema (null, true/false, integers, floats, else string).
// Throws kpg::Error for anchors/aliases to non-scalars or non-string keys.
nlohmann::ordered_json yaml_to_json(const YAML::Node& node);

// One JSON document as block-style YAML, keys in document order, ending in a
// newline. Strings that a YAML reader would take for another type ("true",
// "5432", "on", "") are double-quoted; multi-line strings become literal
// blocks when that round-trips exactly, else double-quoted.
std::string json_to_yaml(const nlohmann::ordered_json& document);

} // namespace kpg
