#pragma once
// Test doubles for src/kube (the clock is fake_clock.hpp): an
// environment from a map, and a Transport that replays scripted responses and
// records what was sent.

#include "core/context.hpp"
#include "fake_clock.hpp"
#include "kube/http.hpp"

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace kpg::test {

inline std::string fixture(const std::string& relative)
{
  return std::string(KPG_SOURCE_DIR) + "/tests/fixtures/" + relative;
}

inline EnvLookup fake_env(std::map<std::string, std::string> vars)
{
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

// One scripted answer: an HTTP response (whose body is streamed in `chunks`
// when the request is a stream) or a transport error.
struct FakeReply
{
  kube::HttpResponse response;
  std::vector<std::string> chunks; // streamed body pieces for 2xx stream requests
  std::optional<kube::TransportError> error;
};

inline FakeReply reply(long status, std::string body = {}, kube::HttpHeaders headers = {})
{
  FakeReply r;
  r.response.status = status;
  r.response.body = std::move(body);
  r.response.headers = std::move(headers);
  return r;
}

inline FakeReply stream_reply(std::vector<std::string> chunks)
{
  FakeReply r;
  r.response.status = 200;
  r.chunks = std::move(chunks);
  return r;
}

inline FakeReply transport_failure(kube::TransportErrorKind kind)
{
  FakeReply r;
  r.error = kube::TransportError{ kind, 56, "the connection to 10.0.0.1:6443 was closed: reset" };
  return r;
}

class FakeTransport : public kube::Transport
{
public:
  Expected<kube::HttpResponse, kube::TransportError> send(
    const kube::HttpRequest& request, const kube::BodyChunkHandler& on_chunk) override
  {
    sent.push_back(request);
    if (replies.empty()) {
      return unexpected(kube::TransportError{ kube::TransportErrorKind::other, 7,
                                              "FakeTransport: no scripted reply for " +
                                                request.method + " " + request.path });
    }
    FakeReply next = std::move(replies.front());
    replies.pop_front();
    if (next.error) {
      return unexpected(*next.error);
    }
    for (const auto& chunk : next.chunks) {
      if (on_chunk && !on_chunk(chunk)) {
        next.response.stopped = true;
        break;
      }
    }
    return next.response;
  }

  std::deque<FakeReply> replies;
  std::vector<kube::HttpRequest> sent;
};

} // namespace kpg::test
