#include "kube/wait.hpp"

#include <map>
#include <string>

namespace kpg::kube {

namespace {

std::string key_of(const nlohmann::json& object)
{
  const auto& metadata = object.value("metadata", nlohmann::json::object());
  return metadata.value("namespace", "") + "/" + metadata.value("name", "");
}

std::vector<nlohmann::json> values(const std::map<std::string, nlohmann::json>& objects)
{
  std::vector<nlohmann::json> items;
  items.reserve(objects.size());
  for (const auto& [key, object] : objects) {
    items.push_back(object);
  }
  return items;
}

} // namespace

Result<WaitResult> wait_for_list(const ResourceClient& client, const ListOptions& selectors,
                                 const ListPredicate& predicate, const WaitOptions& options)
{
  std::map<std::string, nlohmann::json> objects;
  WaitResult result;
  const auto check = [&] {
    result.items = values(objects);
    if (predicate(result.items)) {
      result.outcome = WaitOutcome::satisfied;
      return WatchControl::stop;
    }
    if (options.on_progress) {
      options.on_progress(result.items);
    }
    return WatchControl::keep_going;
  };
  ListWatchHandlers handlers;
  handlers.on_sync = [&](const std::vector<nlohmann::json>& items) {
    objects.clear();
    for (const auto& item : items) {
      objects[key_of(item)] = item;
    }
    return check();
  };
  handlers.on_event = [&](const WatchEvent& event) {
    if (event.type == WatchEventType::deleted) {
      objects.erase(key_of(event.object));
    } else {
      objects[key_of(event.object)] = event.object;
    }
    return check();
  };
  const auto deadline = client.rest().clock().now() + options.timeout;
  auto outcome = list_watch(client, selectors, handlers, deadline);
  if (!outcome) {
    return unexpected(std::move(outcome).error());
  }
  return result;
}

Result<WaitResult> wait_for_object(const ResourceClient& client, const std::string& name,
                                   const ObjectPredicate& predicate, const WaitOptions& options)
{
  ListOptions selectors;
  selectors.field_selector = "metadata.name=" + name;
  return wait_for_list(
    client, selectors,
    [&](const std::vector<nlohmann::json>& items) {
      return predicate(items.empty() ? nullptr : &items.front());
    },
    options);
}

} // namespace kpg::kube
