#include "core/task_group.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>

using kpg::TaskGroup;

TEST_CASE("TaskGroup::results")
{
  SUBCASE("tasks run at the same time; results come in start order, not finish order")
  {
    std::promise<void> second_done;
    auto second_done_seen = second_done.get_future();
    TaskGroup<std::string> group;
    // The first task can only succeed while the second runs beside it: it waits
    // (at most 30 s, so a serial group fails instead of hanging) for the second.
    group.start([&] {
      const bool concurrent =
        second_done_seen.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
      return std::string(concurrent ? "first, after second" : "first, alone");
    });
    group.start([&] {
      second_done.set_value();
      return std::string("second");
    });
    CHECK(group.results() == std::vector<std::string>{ "first, after second", "second" });
    CHECK(group.results().empty()); // the group is empty afterwards
  }

  SUBCASE("an exception reaches the caller once every task has ended; the first started wins")
  {
    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<bool> last_ended{ false };
    TaskGroup<int> group;
    group.start([released]() -> int {
      released.wait();
      throw std::runtime_error("first");
    });
    group.start([]() -> int { throw std::runtime_error("second"); });
    group.start([released, &last_ended] {
      released.wait();
      last_ended = true;
      return 3;
    });
    release.set_value();
    std::string caught;
    try {
      group.results();
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
    CHECK(caught == "first");
    CHECK(last_ended);
  }

  SUBCASE("leaving without results() waits for the tasks still running")
  {
    std::promise<void> release;
    std::atomic<bool> ended{ false };
    {
      TaskGroup<int> group;
      group.start([released = release.get_future(), &ended]() mutable {
        released.wait();
        ended = true;
        return 1;
      });
      release.set_value();
    }
    CHECK(ended);
  }
}
