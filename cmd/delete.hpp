#pragma once
// kubectl pg delete NAME: the options, their validation and the run, apart
// from the CLI11 wiring so unit tests drive them with a fake transport.
//
// Exit codes: 0 deleted (also when only kept data was left), 1 no such
// cluster or an API error (re-running finishes a partial delete), 2 bad
// flags, 4 the API server could not be read, 5 the confirmation was declined
// or is needed (--yes), 6 the pods did not stop within --timeout.

#include "core/context.hpp"
#include "kube/rest_client.hpp"
#include "ui/prompt.hpp"

#include <chrono>
#include <string>

namespace kpg::cmd {

struct ClusterDeleteOptions
{
  std::string name;
  bool wait = true;              // --wait (default), --wait=false
  std::string timeout = "5m";    // --timeout; 0: no limit
  bool delete_data = false;      // --delete-data
  bool delete_namespace = false; // --delete-namespace (needs --delete-data)
  bool yes = false;              // --yes
};

enum class WaitPolicy
{
  no_wait,
  wait,
};
enum class DataPolicy
{
  keep,
  remove,
};
enum class NamespaceRemoval
{
  keep,
  remove,
};

struct DeleteSettings
{
  WaitPolicy wait = WaitPolicy::wait;
  std::chrono::milliseconds timeout{ 300000 }; // 0: no limit
  std::string timeout_text = "5m";            // --timeout as given, for messages
  DataPolicy data = DataPolicy::keep;
  NamespaceRemoval namespace_removal = NamespaceRemoval::keep;
  ui::Confirmation confirmation = ui::Confirmation::ask;
};

// Pure. Throws kpg::UsageError: a malformed --timeout, or --delete-namespace
// without --delete-data (deleting a Namespace deletes the claims in it).
DeleteSettings validate_delete_options(const ClusterDeleteOptions& options);

// Lists what is left of the cluster, asks for confirmation (ui::confirm: a
// refusal changes nothing), deletes it stage by stage (pg/cluster_delete.hpp)
// and waits for the pods to stop (always before the data goes: a running
// Patroni would re-create its ConfigMaps). Prints kubectl's `<kind> "<name>"
// deleted` lines on ctx.out; progress and what was kept on ctx.err.
void run_delete(const std::string& name, const DeleteSettings& settings, kube::RestClient& client,
                const std::string& namespace_name, Context& ctx);

} // namespace kpg::cmd
