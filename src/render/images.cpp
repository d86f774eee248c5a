#include "render/images.hpp"

#include <array>
#include <string_view>

namespace kpg::render {

namespace {

constexpr std::array<PinnedSpilo, 3> k_spilo{{
  {15, "ghcr.io/zalando/spilo-15:3.0-p1"},
  {16, "ghcr.io/zalando/spilo-16:3.3-p3"},
  {17, "ghcr.io/zalando/spilo-17:4.0-p3"},
}};

std::string with_registry(std::string_view image, const std::string& registry)
{
  if (registry.empty()) {
    return std::string(image);
  }
  const auto slash = image.find('/');
  return registry + "/" + std::string(image.substr(slash + 1));
}

} // namespace

std::span<const PinnedSpilo> pinned_spilo_images()
{
  return k_spilo;
}

ResolvedImages resolve_images(const ClusterSpec& spec)
{
  ResolvedImages images;
  images.spilo = spec.images.spilo;
  if (images.spilo.empty()) {
    for (const auto& pinned : k_spilo) {
      if (pinned.postgres_version == spec.postgres_version) {
        images.spilo = with_registry(pinned.image, spec.images.registry);
      }
    }
  }
  images.pgpool = spec.images.pgpool.empty()
                    ? with_registry(k_pinned_pgpool_image, spec.images.registry)
                    : spec.images.pgpool;
  return images;
}

} // namespace kpg::render
