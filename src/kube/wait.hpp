#pragma once
// The one wait helper every command shares (create --wait, scale,
// failover-test, restore): watch objects until a predicate holds or a timeout
// passes. Built on list_watch, so it survives dropped streams and 410s. Time
// comes from the RestClient's Clock, so tests run with a fake clock.

#include "kube/resource_client.hpp"
#include "kube/watch.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

namespace kpg::kube {

enum class WaitOutcome
{
  satisfied,
  timed_out
};

struct WaitResult
{
  WaitOutcome outcome = WaitOutcome::timed_out;
  std::vector<nlohmann::json> items; // the objects when the wait ended, sorted by namespace/name
};

struct WaitOptions
{
  std::chrono::milliseconds timeout{ 0 };
  // Called with the current objects after each change the predicate did not accept.
  std::function<void(const std::vector<nlohmann::json>& items)> on_progress;
};

// Waits until `predicate(items)` holds for the objects matching `selectors`.
using ListPredicate = std::function<bool(const std::vector<nlohmann::json>& items)>;
Result<WaitResult> wait_for_list(const ResourceClient& client, const ListOptions& selectors,
                                 const ListPredicate& predicate, const WaitOptions& options);

// Waits until `predicate(object)` holds for one object; it receives nullptr
// while the object does not exist (so "deleted" is a predicate too).
using ObjectPredicate = std::function<bool(const nlohmann::json* object)>;
Result<WaitResult> wait_for_object(const ResourceClient& client, const std::string& name,
                                   const ObjectPredicate& predicate, const WaitOptions& options);

} // namespace kpg::kube
