#pragma once
// Doubles for the command tests: a Context over string streams, a REST client
// over the scripted FakeTransport (rate limit off), a SqlRunner that answers
// per pod, and a Pause that follows a script.

#include "core/context.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "kube/rest_client.hpp"
#include "kube_fakes.hpp"
#include "pg/sql_runner.hpp"

#include <deque>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace kpg::test {

struct CommandFixture
{
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in;
  FakeClock clock{ fixture_time() };
  Context ctx{ .options = {},
               .out = out,
               .err = err,
               .in = in,
               .getenv = fake_env({}),
               .clock = clock };
  FakeTransport transport;
  kube::RestConfig config = [] {
    kube::RestConfig c;
    c.server = "https://10.0.0.1:6443";
    c.qps = -1;
    return c;
  }();
  kube::RestClient client{ config, transport, clock };

  // The paths of the requests sent, in order.
  std::vector<std::string> paths() const
  {
    std::vector<std::string> result;
    for (const auto& request : transport.sent) {
      result.push_back(request.method + " " + request.path);
    }
    return result;
  }
};

// The message of the kpg::UsageError that `validate(options)` throws, or "(no error)".
template<typename Validate, typename Options>
std::string usage_error_of(Validate validate, const Options& options)
{
  try {
    validate(options);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

// A LIST answer holding `items`.
inline FakeReply list_reply(const std::vector<nlohmann::json>& items)
{
  return reply(200, nlohmann::json{ { "kind", "List" },
                                    { "apiVersion", "v1" },
                                    { "metadata", { { "resourceVersion", "7" } } },
                                    { "items", items } }
                      .dump());
}

class FakeSqlRunner : public pg::SqlRunner
{
public:
  std::optional<std::string> unavailable_reason() const override
  {
    return unavailable;
  }
  // Thread-safe, as status calls it from several threads.
  pg::Fetched run(const pg::PodCommand& command) override
  {
    const std::lock_guard lock(m_mutex);
    ran.push_back(command);
    const auto found = answers.find(command.pod);
    if (found == answers.end()) {
      return unexpected(std::string("no answer scripted for ") + command.pod);
    }
    return found->second;
  }

  std::optional<std::string> unavailable;
  std::map<std::string, pg::Fetched> answers; // pod -> psql output or failure
  std::vector<pg::PodCommand> ran;              // in the order the runs started

private:
  std::mutex m_mutex;
};

class ScriptedPause : public Pause
{
public:
  explicit ScriptedPause(FakeClock& clock)
    : m_clock(clock)
  {
  }
  PauseEnd pause_for(Clock::Duration duration) override
  {
    pauses.push_back(duration);
    m_clock.advance(duration);
    if (ends.empty()) {
      return PauseEnd::interrupted;
    }
    const PauseEnd end = ends.front();
    ends.pop_front();
    return end;
  }

  std::deque<PauseEnd> ends; // then interrupted
  std::vector<Clock::Duration> pauses;

private:
  FakeClock& m_clock;
};

} // namespace kpg::test
