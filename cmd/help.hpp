#pragma once
// kubectl's two help texts for every subcommand: a one-line summary that
// `kubectl pg --help` lists, and a long description that `kubectl pg NAME --help`
// shows above the flags. CLI11 2.1 has one description per App, so the long text
// follows the summary after a blank line and HelpFormatter lists the summary alone.

#include <CLI/CLI.hpp>

#include <string>

namespace kpg::cmd {

// Appends `long_description` to the summary `sub` was created with
// (app.add_subcommand(name, summary)).
void set_long_description(CLI::App& sub, const std::string& long_description);

// Lists subcommands by their summary (the description up to its first blank line).
class HelpFormatter : public CLI::Formatter
{
public:
  std::string make_subcommand(const CLI::App* sub) const override;
};

} // namespace kpg::cmd
