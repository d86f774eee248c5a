#pragma once
// The container images a cluster runs: pinned, publicly available tags (so a
// render is reproducible), overridable one by one or by registry (mirrors).

#include "render/cluster_spec.hpp"

#include <span>
#include <string>

namespace kpg::render {

struct PinnedSpilo
{
  int postgres_version;
  const char* image; // e.g. "ghcr.io/zalando/spilo-17:4.0-p3"
};

// PostgreSQL major versions this release supports, oldest first, with the
// Spilo image each runs (ghcr.io/zalando/spilo-<major>, Zalando's releases).
std::span<const PinnedSpilo> pinned_spilo_images();

// pgpool-II, the pgpool project's own image (docker.io/pgpool/pgpool).
inline constexpr const char* k_pinned_pgpool_image = "docker.io/pgpool/pgpool:4.4.3";

struct ResolvedImages
{
  std::string spilo;
  std::string pgpool;
};

// The images to run: spec.images.spilo / .pgpool verbatim when set; else the
// pinned default with its registry host replaced by spec.images.registry when
// that is set ("mirror.local:5000/ghcr" + "ghcr.io/zalando/spilo-17:4.0-p3"
// -> "mirror.local:5000/ghcr/zalando/spilo-17:4.0-p3"). The version must be
// supported (validate_cluster_spec checks it first).
ResolvedImages resolve_images(const ClusterSpec& spec);

} // namespace kpg::render
