#pragma once
// Reads a cluster spec file (YAML, apiVersion pg.kubectl-pg.io/v1alpha1, kind
// PostgresCluster) into a ClusterSpec, strictly: unknown keys, wrong types
// and malformed YAML are errors that name the file, line and column (1-based),
// the field path and the fix. Fields the file leaves out keep the defaults of
// cluster_spec.hpp. Values are not range-checked here (spec_validation.hpp).

#include "core/expected.hpp"
#include "render/cluster_spec.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace kpg::render {

struct ParsedSpec
{
  ClusterSpec spec;
  FieldOrigins origins; // every field the file set -> "source:line:column"
};

// `source` names the input in messages ("cluster.yaml", "<stdin>"). On error,
// every problem found, one message each, in file order.
Expected<ParsedSpec, std::vector<std::string>> parse_cluster_spec(std::string_view text,
                                                                  const std::string& source);

} // namespace kpg::render
