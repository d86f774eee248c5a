#include "kube/wait.hpp"
#include "kube/watch.hpp"
#include "kube_fakes.hpp"

#include <doctest/doctest.h>

using kpg::kube::WatchDecoder;
using kpg::kube::WatchEventType;
using kpg::test::reply;
using kpg::test::stream_reply;

namespace {

std::string pod_event(const char* type, const char* name, const char* rv,
                      const char* phase = "Pending")
{
  return nlohmann::json{
    { "type", type },
    { "object",
      { { "metadata", { { "name", name }, { "namespace", "db" }, { "resourceVersion", rv } } },
        { "status", { { "phase", phase } } } } }
  }.dump() +
         "\n";
}

std::string pod_list(const char* rv, std::vector<const char*> names)
{
  nlohmann::json list = { { "kind", "PodList" },
                          { "metadata", { { "resourceVersion", rv } } },
                          { "items", nlohmann::json::array() } };
  for (const char* name : names) {
    list["items"].push_back({ { "metadata", { { "name", name }, { "namespace", "db" } } },
                              { "status", { { "phase", "Pending" } } } });
  }
  return list.dump();
}

struct WatchFixture
{
  kpg::test::FakeClock clock;
  kpg::test::FakeTransport transport;
  kpg::kube::RestConfig config;
  kpg::kube::RestClient rest{ config, transport, clock };
  kpg::kube::ResourceClient pods{ rest, *kpg::kube::resource_for_kind("v1", "Pod"), "db" };
  WatchFixture()
  {
    config.server = "https://10.0.0.1:6443";
    config.qps = -1;
  }
};

} // namespace

TEST_CASE("WatchDecoder::feed")
{
  WatchDecoder decoder;
  const std::string stream = pod_event("ADDED", "a", "1") + pod_event("BOOKMARK", "", "2");
  CHECK(decoder.feed(stream.substr(0, 10)).empty());
  auto events = decoder.feed(stream.substr(10, 60));
  auto rest = decoder.feed(stream.substr(70));
  events.insert(events.end(), rest.begin(), rest.end());
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == WatchEventType::added);
  CHECK(events[0].object["metadata"]["name"] == "a");
  CHECK(events[1].type == WatchEventType::bookmark);
  auto bad = decoder.feed("{\"type\":\"WHAT\"}\n");
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].type == WatchEventType::error);
  CHECK(bad[0].object["reason"] == "BadWatchEvent");
}

TEST_CASE("list_watch")
{
  WatchFixture f;

  SUBCASE("resumes from the last resourceVersion (bookmarks count) after a dropped stream")
  {
    f.transport.replies.push_back(reply(200, pod_list("10", { "a" })));
    f.transport.replies.push_back(
      stream_reply({ pod_event("MODIFIED", "a", "11"), pod_event("BOOKMARK", "", "15") }));
    f.transport.replies.push_back(
      kpg::test::transport_failure(kpg::kube::TransportErrorKind::connection_dropped));
    f.transport.replies.push_back(stream_reply({ pod_event("ADDED", "b", "16") }));
    std::vector<std::string> seen;
    kpg::kube::ListWatchHandlers handlers;
    handlers.on_sync = [&](const std::vector<nlohmann::json>& items) {
      seen.push_back("sync " + std::to_string(items.size()));
      return kpg::kube::WatchControl::keep_going;
    };
    handlers.on_event = [&](const kpg::kube::WatchEvent& event) {
      seen.push_back(event.object["metadata"]["name"].get<std::string>());
      return event.object["metadata"]["name"] == "b" ? kpg::kube::WatchControl::stop
                                                     : kpg::kube::WatchControl::keep_going;
    };
    auto outcome = list_watch(f.pods, {}, handlers, f.clock.now() + std::chrono::minutes(5));
    REQUIRE(outcome);
    CHECK(*outcome == kpg::kube::ListWatchOutcome::stopped);
    CHECK(seen == std::vector<std::string>{ "sync 1", "a", "b" });
    REQUIRE(f.transport.sent.size() == 4);
    CHECK(f.transport.sent[1].path == "/api/v1/namespaces/db/pods?resourceVersion=10&watch=1&"
                                      "allowWatchBookmarks=true&timeoutSeconds=300");
    CHECK(f.transport.sent[2].path.find("resourceVersion=15&") != std::string::npos);
    CHECK(f.transport.sent[3].path.find("resourceVersion=15&") != std::string::npos);
  }
  SUBCASE("relists after 410 Expired, as an ERROR event or as HTTP 410")
  {
    const std::string expired =
      R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (812)","reason":"Expired","code":410}})j"
      "\n";
    f.transport.replies.push_back(reply(200, pod_list("5", { "a" })));
    f.transport.replies.push_back(stream_reply({ expired }));
    f.transport.replies.push_back(reply(200, pod_list("812", { "a", "b" })));
    f.transport.replies.push_back(
      reply(410, R"({"kind":"Status","code":410,"reason":"Gone","message":"gone"})"));
    f.transport.replies.push_back(reply(200, pod_list("900", { "a", "b", "c" })));
    std::vector<std::size_t> syncs;
    kpg::kube::ListWatchHandlers handlers;
    handlers.on_sync = [&](const std::vector<nlohmann::json>& items) {
      syncs.push_back(items.size());
      return items.size() == 3 ? kpg::kube::WatchControl::stop
                               : kpg::kube::WatchControl::keep_going;
    };
    auto outcome = list_watch(f.pods, {}, handlers, f.clock.now() + std::chrono::minutes(5));
    REQUIRE(outcome);
    CHECK(syncs == std::vector<std::size_t>{ 1, 2, 3 });
    CHECK(f.transport.sent[2].path == "/api/v1/namespaces/db/pods?limit=500");
  }
  SUBCASE("other watch errors end the watch")
  {
    f.transport.replies.push_back(reply(200, pod_list("5", {})));
    f.transport.replies.push_back(reply(
      403,
      R"({"kind":"Status","code":403,"reason":"Forbidden","message":"pods is forbidden: User \"ci\" cannot watch resource \"pods\""})"));
    auto outcome = list_watch(f.pods, {}, {}, f.clock.now() + std::chrono::minutes(5));
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().text() == "Error from server (Forbidden): pods is forbidden: User \"ci\" "
                                    "cannot watch resource \"pods\"");
  }
}

TEST_CASE("wait_for_object")
{
  WatchFixture f;
  const auto running = [](const nlohmann::json* pod) {
    return pod != nullptr && (*pod)["status"]["phase"] == "Running";
  };

  SUBCASE("satisfied by a later event; progress reported meanwhile")
  {
    f.transport.replies.push_back(reply(200, pod_list("1", { "pg-0" })));
    f.transport.replies.push_back(stream_reply({ pod_event("MODIFIED", "pg-0", "2", "Pending"),
                                                 pod_event("MODIFIED", "pg-0", "3", "Running") }));
    int progress = 0;
    kpg::kube::WaitOptions options;
    options.timeout = std::chrono::seconds(60);
    options.on_progress = [&](const std::vector<nlohmann::json>&) { ++progress; };
    auto result = kpg::kube::wait_for_object(f.pods, "pg-0", running, options);
    REQUIRE(result);
    CHECK(result->outcome == kpg::kube::WaitOutcome::satisfied);
    CHECK(result->items.at(0)["metadata"]["resourceVersion"] == "3");
    CHECK(progress == 2);
    CHECK(f.transport.sent[0].path ==
          "/api/v1/namespaces/db/pods?fieldSelector=metadata.name%3Dpg-0&limit=500");
  }
  SUBCASE("deletion is a predicate too")
  {
    f.transport.replies.push_back(reply(200, pod_list("1", { "pg-0" })));
    f.transport.replies.push_back(stream_reply({ pod_event("DELETED", "pg-0", "2") }));
    kpg::kube::WaitOptions options;
    options.timeout = std::chrono::seconds(60);
    auto result = kpg::kube::wait_for_object(
      f.pods, "pg-0", [](const nlohmann::json* pod) { return pod == nullptr; }, options);
    REQUIRE(result);
    CHECK(result->outcome == kpg::kube::WaitOutcome::satisfied);
  }
  SUBCASE("times out on the injected clock when nothing changes")
  {
    f.transport.replies.push_back(reply(200, pod_list("1", { "pg-0" })));
    for (int i = 0; i < 10; ++i) {
      f.transport.replies.push_back(stream_reply({})); // streams that end with no events
    }
    kpg::kube::WaitOptions options;
    options.timeout = std::chrono::seconds(5);
    auto result = kpg::kube::wait_for_object(f.pods, "pg-0", running, options);
    REQUIRE(result);
    CHECK(result->outcome == kpg::kube::WaitOutcome::timed_out);
    CHECK(f.transport.sent.size() == 6); // list + 5 one-second re-watches
  }
}
