#pragma once
// Runs independent tasks at the same time, each on its own thread (std::async
// with std::launch::async), and hands back their results in the order the tasks
// were started, so whatever a caller builds from them does not depend on which
// task finished first. `status` uses it for its SQL execs (one TLS connection,
// WebSocket and psql each, about 0.13 s), which then cost the slowest one
// rather than their sum.
//
// No thread outlives the group and none is detached: results() waits for every
// task, and the destructor waits for the ones still running when the caller
// leaves early (an exception, an error return). A task's exception reaches the
// caller from results() once every task has ended; when several threw, the one
// of the task started first.
//
// A task runs on another thread: it may only touch what is safe to share (a
// thread-safe CredentialSource, its own buffers), never the Context's streams,
// which belong to the main thread.
//
//   TaskGroup<Fetched> reads;
//   reads.start([&] { return sql.run(leader_command); });
//   reads.start([&] { return sql.run(pgpool_command); });
//   std::vector<Fetched> answers = reads.results(); // the leader's, then pgpool's

#include <future>
#include <utility>
#include <vector>

namespace kpg {

template<typename Result>
class TaskGroup
{
public:
  TaskGroup() = default;
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;
  ~TaskGroup() = default; // each future of std::async waits for its task

  // Starts `task` (callable without arguments, returning Result) on a new thread.
  // Throws std::system_error when no thread can be started (the tasks already
  // started still run and are waited for).
  template<typename Task>
  void start(Task&& task)
  {
    m_running.push_back(std::async(std::launch::async, std::forward<Task>(task)));
  }

  // Waits for every task started and returns their results in start order; the
  // group is empty afterwards. Rethrows the exception of the first task (in
  // start order) that threw, after all have ended.
  std::vector<Result> results()
  {
    std::vector<std::future<Result>> running = std::exchange(m_running, {});
    for (auto& future : running) {
      future.wait();
    }
    std::vector<Result> collected;
    collected.reserve(running.size());
    for (auto& future : running) {
      collected.push_back(future.get());
    }
    return collected;
  }

private:
  std::vector<std::future<Result>> m_running;
};

} // namespace kpg
