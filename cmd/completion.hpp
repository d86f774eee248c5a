#pragma once
// Shell completion computed from the CLI11 command tree, in the protocol of
// Cobra's hidden __complete command, which kubectl uses for plugins
// (kubectl_complete-pg): one candidate per line, then ":<directive>".

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace kpg::cmd {

// The hidden command the completion scripts call: `kubectl-pg __complete WORDS...`.
inline constexpr const char* k_complete_command = "__complete";

// Cobra's ShellCompDirective bits (spf13/cobra completions.go).
inline constexpr int k_directive_default = 0;       // the shell may complete file names
inline constexpr int k_directive_no_file_comp = 4;  // offer no file names

// Completes the last of `words` (the words after the program name; the last
// one is being typed, possibly empty) against the command tree under `root`:
// subcommand names, flag names (the command's and the global ones), and the
// allowed values of flags whose validator lists them.
std::string complete_words(const CLI::App& root, const std::vector<std::string>& words);

} // namespace kpg::cmd
