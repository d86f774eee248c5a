#pragma once
// Applying a set of manifests as one unit, as `kubectl apply --server-side`
// does, over one RestClient: in dependency order, one object at a time, and
// telling for each whether the server created it, changed it, or found nothing
// to change.
//
// created / configured / unchanged (kubectl's words):
//   - 201 from the apply (or create) is "created";
//   - 200: the object as it was before (existing_objects(): one LIST per
//     namespaced resource type with the set's label selector, one GET per
//     cluster-scoped object) is compared with the answer. A server-side apply
//     that changes nothing is not written to storage and keeps the
//     resourceVersion (apiserver fieldmanager: no-op applies do not even
//     touch managedFields timestamps), so an equal resourceVersion means
//     "unchanged". A controller may write .status between the read and the
//     apply (a StatefulSet while its pods start), so when the versions
//     differ, the objects without status, resourceVersion, generation and
//     managedFields are compared: equal is still "unchanged". Anything else
//     (including an object the selector did not find) is "configured".
//     resourceVersions are only compared for equality (they are opaque).
//
// Create-only kinds (WritePolicy::create_only, e.g. Secrets holding generated
// passwords) are sent with POST instead of apply: an existing object is never
// changed, whoever wrote it ("kept"), so re-running never rotates a password.
//
// Sources: K8S_API.md 3.1-3.3 (server-side apply), Helm's InstallOrder for the
// idea of a kind order (pkg/releaseutil/kind_sorter.go).

#include "kube/resource.hpp"
#include "kube/resource_client.hpp"
#include "kube/rest_client.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::kube {

enum class ApplyAction
{
  created,
  configured,
  unchanged,
  kept, // create-only object that existed: left exactly as it was
};
// "created", "configured", "unchanged", "unchanged" (kept is unchanged, by design).
std::string_view to_string(ApplyAction action);

enum class WritePolicy
{
  apply,       // server-side apply (PATCH application/apply-patch+yaml)
  create_only, // POST; 409 AlreadyExists leaves the object as it is
};

struct ApplySetOptions
{
  DryRun dry_run = DryRun::none;
  ForceConflicts force = ForceConflicts::no;
  std::vector<std::string> create_only_kinds{ "Secret" };
};

struct AppliedObject
{
  std::string ref; // "statefulset.apps/orders"
  ApplyAction action = ApplyAction::created;
  // The server's answer; for a kept object under dryRun the existing object,
  // else null.
  nlohmann::json object;
};

// kubectl's name for an object: "statefulset.apps/orders", "secret/orders-tls".
std::string object_ref(const ResourceType& type, std::string_view name);
Expected<std::string, std::string> object_ref(const nlohmann::json& object);

// `objects` sorted for applying, stable within a kind: Namespace; the policies
// that must hold before any pod runs (NetworkPolicy, PodDisruptionBudget);
// identities and what pods reference (ServiceAccount, Secret, ConfigMap, Role,
// RoleBinding); Services (DNS, service links); then workloads (StatefulSet,
// Deployment); kinds not listed last.
std::vector<nlohmann::json> in_apply_order(std::vector<nlohmann::json> objects);

// The objects as they are before applying, by object_ref ("" kinds of
// create-only objects are skipped: their answer tells).
using ExistingObjects = std::map<std::string, nlohmann::json>;
Result<ExistingObjects> existing_objects(RestClient& client,
                                         const std::vector<nlohmann::json>& objects,
                                         const std::string& label_selector,
                                         const ApplySetOptions& options);

// Applies (or creates) one object. `before` comes from existing_objects().
// Errors are the server's (a field-manager conflict names each field and its
// manager, ApiError::text()) or the transport's.
Result<AppliedObject> apply_object(RestClient& client, const nlohmann::json& object,
                                   const ApplySetOptions& options, const ExistingObjects& before);

} // namespace kpg::kube
