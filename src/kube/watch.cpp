#include "kube/watch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace kpg::kube {

namespace {

constexpr std::chrono::seconds k_retry_pause{ 1 };
constexpr long k_max_watch_seconds = 300; // client-go reflector: random in [300, 600)

std::optional<WatchEventType> event_type(std::string_view name)
{
  if (name == "ADDED") {
    return WatchEventType::added;
  }
  if (name == "MODIFIED") {
    return WatchEventType::modified;
  }
  if (name == "DELETED") {
    return WatchEventType::deleted;
  }
  if (name == "BOOKMARK") {
    return WatchEventType::bookmark;
  }
  if (name == "ERROR") {
    return WatchEventType::error;
  }
  return std::nullopt;
}

WatchEvent bad_event(std::string_view line)
{
  return { WatchEventType::error,
           { { "kind", "Status" },
             { "code", 500 },
             { "reason", "BadWatchEvent" },
             { "message", fmt::format("cannot decode watch event: {}", line.substr(0, 200)) } } };
}

bool is_transient(const KubeError& error)
{
  const TransportError* transport = error.transport();
  return transport != nullptr && (transport->kind == TransportErrorKind::connection_dropped ||
                                  transport->kind == TransportErrorKind::connection_refused ||
                                  transport->kind == TransportErrorKind::timeout);
}

} // namespace

std::vector<WatchEvent> WatchDecoder::feed(std::string_view chunk)
{
  m_pending.append(chunk);
  std::vector<WatchEvent> events;
  std::size_t start = 0;
  for (auto newline = m_pending.find('\n'); newline != std::string::npos;
       newline = m_pending.find('\n', start)) {
    const std::string_view line(m_pending.data() + start, newline - start);
    start = newline + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    auto doc = nlohmann::json::parse(line, nullptr, false);
    const auto type = doc.is_object() && doc.contains("type") && doc["type"].is_string()
                        ? event_type(doc["type"].get<std::string>())
                        : std::nullopt;
    if (!type || !doc.contains("object")) {
      events.push_back(bad_event(line));
      continue;
    }
    events.push_back({ *type, std::move(doc["object"]) });
  }
  m_pending.erase(0, start);
  return events;
}

Result<ListWatchOutcome> list_watch(const ResourceClient& client, const ListOptions& selectors,
                                    const ListWatchHandlers& handlers, Clock::TimePoint deadline)
{
  Clock& clock = client.rest().clock();
  const Logger& logger = client.rest().logger();
  std::string resource_version;
  bool need_list = true;
  for (;;) {
    if (clock.now() >= deadline) {
      return ListWatchOutcome::deadline;
    }
    if (need_list) {
      ListOptions list_options = selectors;
      list_options.continue_token.clear();
      list_options.resource_version.clear();
      auto list = client.list_all(list_options);
      if (!list) {
        if (is_transient(list.error())) {
          clock.sleep_for(k_retry_pause);
          continue;
        }
        return unexpected(std::move(list).error());
      }
      resource_version = metadata_field(*list, "resourceVersion");
      const auto items = list->value("items", nlohmann::json::array());
      const std::vector<nlohmann::json> objects(items.begin(), items.end());
      if (handlers.on_sync && handlers.on_sync(objects) == WatchControl::stop) {
        return ListWatchOutcome::stopped;
      }
      need_list = false;
    }

    const auto remaining = std::chrono::duration_cast<std::chrono::seconds>(deadline - clock.now());
    const long timeout_seconds = std::clamp<long>(remaining.count() + 1, 1, k_max_watch_seconds);
    ListOptions watch_options = selectors;
    watch_options.limit = 0;
    watch_options.continue_token.clear();
    watch_options.resource_version = resource_version;
    HttpRequest request;
    request.path =
      client.list_path(watch_options, true) + fmt::format("&timeoutSeconds={}", timeout_seconds);
    request.timeout = std::chrono::seconds(timeout_seconds + 30);

    WatchDecoder decoder;
    bool stopped = false;
    bool expired = false;
    int delivered = 0;
    std::optional<KubeError> event_error;
    const auto on_chunk = [&](std::string_view chunk) {
      for (auto& event : decoder.feed(chunk)) {
        if (event.type == WatchEventType::error) {
          HttpResponse as_response;
          as_response.status = 500;
          as_response.body = event.object.dump();
          ApiStatus status = status_from_response(as_response, "WATCH", "");
          expired = status.code == 410;
          if (!expired) {
            event_error = KubeError(ApiError(std::move(status)));
          }
          return false;
        }
        if (auto rv = metadata_field(event.object, "resourceVersion"); !rv.empty()) {
          resource_version = std::move(rv);
        }
        if (event.type == WatchEventType::bookmark) {
          continue;
        }
        ++delivered;
        if (handlers.on_event && handlers.on_event(event) == WatchControl::stop) {
          stopped = true;
          return false;
        }
      }
      return clock.now() < deadline;
    };
    const auto started = clock.now();
    logger.log(8, fmt::format("watching {} from resourceVersion {}", client.type().group_resource(),
                              resource_version));
    auto response =
      client.rest().stream(std::move(request), on_chunk, client.type().group_resource());
    if (stopped) {
      return ListWatchOutcome::stopped;
    }
    if (event_error) {
      return unexpected(std::move(*event_error));
    }
    if (expired || (!response && response.error().is_expired())) {
      logger.log(6, fmt::format("watch of {} expired at resourceVersion {}: listing again",
                                client.type().group_resource(), resource_version));
      need_list = true;
      continue;
    }
    if (!response && !is_transient(response.error())) {
      return unexpected(std::move(response).error());
    }
    // A short stream that said nothing (or a dropped one): pause before
    // re-watching, as the reflector backs off, so a failing server is not hammered.
    if (!response || (delivered == 0 && clock.now() - started < k_retry_pause)) {
      clock.sleep_for(k_retry_pause);
    }
  }
}

} // namespace kpg::kube
