#pragma once
// The whole path from inputs to a checked spec: defaults, then the spec file
// (if any), then flags, then validation.

#include "render/cluster_spec.hpp"
#include "render/spec_overrides.hpp"

#include <optional>
#include <string>
#include <vector>

namespace kpg::render {

struct SpecFile
{
  std::string text;
  std::string source; // "cluster.yaml" or "<stdin>", for messages
};

struct LoadedSpec
{
  ClusterSpec spec;
  std::vector<std::string> warnings; // for stderr, each "<origin>: <path>: <message>"
};

// Throws kpg::UsageError (exit code 2) whose message lists every problem,
// one per line, when the file does not parse or the result is invalid.
LoadedSpec load_cluster_spec(const std::optional<SpecFile>& file, const SpecOverrides& overrides);

} // namespace kpg::render
