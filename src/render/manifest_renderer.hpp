#pragma once
// Renders a TemplateSet into Kubernetes objects, safely: every value is one
// encoded YAML node (TemplateValues) and every placeholder is proven to stand
// for a whole value, once per template and shape (template_proof.hpp), so no
// input can change a manifest's structure and a render needs no parse; a
// placeholder the values do not define is an error (mustache itself would
// silently render it empty).

#include "render/template_set.hpp"
#include "render/template_values.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kpg::render {

// Renders every template in order, skipping those that render to nothing:
// one YAML document per object, each ending in a newline, without "---".
// Template comments are kept. Throws kpg::UsageError naming the template for
// an unknown placeholder or a shape that fails its proof (a broken
// --templates directory is the user's to fix).
std::vector<std::string> render_documents(const TemplateSet& templates,
                                          const TemplateValues& values);

// The objects of render_documents (parse_documents): for -o json and for the
// API server. Throws as render_documents does.
std::vector<nlohmann::ordered_json> render_manifests(const TemplateSet& templates,
                                                     const TemplateValues& values);

// Rendered documents as JSON objects, parsed by yaml-cpp: quoted scalars are
// strings, plain ones resolve by the YAML 1.2 core schema (yaml_json.hpp).
std::vector<nlohmann::ordered_json> parse_documents(const std::vector<std::string>& documents);

} // namespace kpg::render
