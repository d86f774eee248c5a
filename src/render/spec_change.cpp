#include "render/spec_change.hpp"

#include "render/spec_validation.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kpg::render {

namespace {

std::string shown(const std::string& value)
{
  return value.empty() ? std::string("(not set)") : value;
}

std::string shown(const std::map<std::string, std::string>& parameters)
{
  std::vector<std::string> pairs;
  for (const auto& [name, value] : parameters) {
    pairs.push_back(fmt::format("{}={}", name, value));
  }
  return pairs.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(pairs, ","));
}

void compare(std::vector<std::string>& out, const char* path, const std::string& old_value,
             const std::string& new_value, const std::string& why)
{
  if (old_value != new_value) {
    out.push_back(fmt::format("{}: {} -> {}: {}", path, old_value, new_value, why));
  }
}

} // namespace

SpecChangeReview review_spec_change(const ClusterSpec& applied, const ClusterSpec& wanted)
{
  SpecChangeReview review;
  compare(review.refused, "spec.engine", to_string(applied.engine), to_string(wanted.engine),
          fmt::format("the HA engine of a running cluster cannot be switched; keep {} (drop "
                      "--engine), or create a new cluster and move the data",
                      to_string(applied.engine)));
  compare(review.refused, "spec.postgresVersion", std::to_string(applied.postgres_version),
          std::to_string(wanted.postgres_version),
          fmt::format("a new major version cannot start on the data directory of PostgreSQL "
                      "{0} (it needs pg_upgrade); keep {0} (drop --postgres-version), or "
                      "create a new cluster and move the data",
                      applied.postgres_version));
  compare(review.refused, "spec.storage.size", applied.storage.size, wanted.storage.size,
          fmt::format("the volume size is part of the StatefulSet's volumeClaimTemplates, which "
                      "the API server does not let change; keep {} (drop --storage-size), or "
                      "expand each PVC with `kubectl patch pvc` if its StorageClass allows "
                      "volume expansion",
                      applied.storage.size));
  compare(review.refused, "spec.storage.storageClassName", shown(applied.storage.storage_class),
          shown(wanted.storage.storage_class),
          "the StorageClass is part of the StatefulSet's volumeClaimTemplates, which the API "
          "server does not let change; keep it (drop --storage-class)");
  const char* bootstrap_only =
    "Patroni applies it only when the cluster is first bootstrapped, so the running cluster "
    "keeps its setting; change it live with `patronictl edit-config` in a member pod";
  compare(review.not_applied_live, "spec.postgresql.parameters",
          shown(applied.postgresql.parameters), shown(wanted.postgresql.parameters),
          bootstrap_only);
  compare(review.not_applied_live, "spec.postgresql.synchronousMode",
          to_string(applied.postgresql.synchronous_mode),
          to_string(wanted.postgresql.synchronous_mode), bootstrap_only);
  compare(review.not_applied_live, "max_connections (from the pgpool pool sizes)",
          effective_max_connections(applied), effective_max_connections(wanted),
          std::string(bootstrap_only) +
            "; until then pgpool may open more backend connections than PostgreSQL accepts");
  return review;
}

} // namespace kpg::render
