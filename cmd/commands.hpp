#pragma once
// One function per subcommand: each adds its CLI11 subcommand to the root app,
// binds flags to its own options struct and runs it against the shared Context.
// cmd/main.cpp calls them in the order `kubectl pg --help` lists them.

namespace CLI {
class App;
}

namespace kpg {
struct Context;
}

namespace kpg::cmd {

// Help groups, as `kubectl pg --help` shows them.
inline constexpr const char* k_group_provisioning = "Provisioning";
inline constexpr const char* k_group_operations = "Operations";
inline constexpr const char* k_group_other = "Other";

// Adds kubectl's global flags (--kubeconfig, --context, -n, ...) to the root app.
void add_global_flags(CLI::App& app, Context& ctx);

void add_create_command(CLI::App& app, Context& ctx);
void add_status_command(CLI::App& app, Context& ctx);
void add_list_command(CLI::App& app, Context& ctx);
void add_delete_command(CLI::App& app, Context& ctx);
void add_connect_command(CLI::App& app, Context& ctx);
void add_completion_command(CLI::App& app, Context& ctx);
void add_version_command(CLI::App& app, Context& ctx);

} // namespace kpg::cmd
