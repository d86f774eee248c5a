#pragma once
// List-then-watch that survives (client-go tools/cache/reflector.go; K8S_API.md 4.4):
//   1. LIST (all pages) and hand the full set to on_sync;
//   2. WATCH from the list's resourceVersion with allowWatchBookmarks=true and
//      timeoutSeconds, streaming JSON lines through libcurl's write callback
//      (the body is never buffered whole);
//   3. when the stream ends or drops, WATCH again from the last resourceVersion
//      seen (bookmarks count);
//   4. on 410 Expired (an HTTP 410 or an ERROR event, or 504
//      ResourceVersionTooLarge) go back to 1: relist, on_sync again.
// Watches are not rate-limited (client-go neither).

#include "core/clock.hpp"
#include "kube/resource_client.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::kube {

enum class WatchEventType
{
  added,
  modified,
  deleted,
  bookmark,
  error
};

struct WatchEvent
{
  WatchEventType type = WatchEventType::added;
  nlohmann::json object; // the object; for error, a Status
};

// Splits a watch body into events: one JSON object per line, lines cut
// anywhere across chunks. Malformed lines are reported as an error event
// whose object is a Status with reason "BadWatchEvent".
class WatchDecoder
{
public:
  std::vector<WatchEvent> feed(std::string_view chunk);

private:
  std::string m_pending;
};

enum class WatchControl
{
  keep_going,
  stop
};

struct ListWatchHandlers
{
  // After every (re)list: every object that currently matches.
  std::function<WatchControl(const std::vector<nlohmann::json>& items)> on_sync;
  // Each ADDED, MODIFIED or DELETED after that.
  std::function<WatchControl(const WatchEvent& event)> on_event;
};

enum class ListWatchOutcome
{
  stopped,
  deadline
};

// Runs list-then-watch on `client` with `selectors` (label and field selectors;
// limit and continue are managed here) until a handler returns stop or the
// clock reaches `deadline`. Errors: the list's, and watch answers other than
// 410 (403, 404, ...); dropped streams and refused connections are retried
// after 1 s until the deadline.
Result<ListWatchOutcome> list_watch(const ResourceClient& client, const ListOptions& selectors,
                                    const ListWatchHandlers& handlers, Clock::TimePoint deadline);

} // namespace kpg::kube
