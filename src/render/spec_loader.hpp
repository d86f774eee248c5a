#pragma once
// The whole path from inputs to a checked spec: defaults, then the spec file
// (if any), then flags, then validation. The file is the user's (-f) or, when
// create re-applies a cluster, the stored spec (pg/stored_spec.hpp).

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

// `default_namespace` is the namespace when neither the file's
// metadata.namespace nor -n sets one: kubectl's, the kubeconfig context's
// namespace, else "default".
// Throws kpg::UsageError (exit code 2) whose message lists every problem,
// one per line, when the file does not parse or the result is invalid.
LoadedSpec load_cluster_spec(const std::optional<SpecFile>& file, const SpecOverrides& overrides,
                             const std::string& default_namespace);

} // namespace kpg::render
