// kubectl pg completion bash|zsh|fish: prints a completion script. The
// scripts (and completions/kubectl_complete-pg, which kubectl calls) ask the
// binary itself through `kubectl-pg __complete WORDS...` (cmd/main.cpp calls
// complete_words), so completion always matches the command tree: there are
// no lists to maintain.

#include "cmd/completion.hpp"

#include "cmd/commands.hpp"
#include "cmd/help.hpp"
#include "core/context.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <string_view>

namespace kpg::cmd {

namespace {

constexpr const char* k_bash_script = R"(# bash completion for kubectl-pg (kubectl-pg completion bash)
_kubectl_pg() {
    local cur=${COMP_WORDS[COMP_CWORD]} out directive line
    out=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
    directive=${out##*:}
    COMPREPLY=()
    while IFS= read -r line; do
        [[ -n $line && $line != :* ]] && COMPREPLY+=("$line")
    done <<< "$out"
    if (( ${#COMPREPLY[@]} == 0 && (directive & 4) == 0 )); then
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
}
complete -F _kubectl_pg kubectl-pg
)";

constexpr const char* k_zsh_script = R"(#compdef kubectl-pg
# zsh completion for kubectl-pg (kubectl-pg completion zsh)
_kubectl_pg() {
    local out directive
    local -a lines
    out=$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return
    lines=("${(@f)out}")
    directive=${lines[-1]#:}
    lines=("${(@)lines[1,-2]}")
    if (( ${#lines} )); then
        compadd -- "${lines[@]}"
    elif (( (directive & 4) == 0 )); then
        _files
    fi
}
compdef _kubectl_pg kubectl-pg
)";

constexpr const char* k_fish_script = R"(# fish completion for kubectl-pg (kubectl-pg completion fish)
function __kubectl_pg_complete
    set -l args (commandline -opc)
    set -l out (command $args[1] __complete $args[2..-1] (commandline -ct) 2>/dev/null)
    string match -v -r '^:' -- $out
    if test (count $out) -le 1; and not string match -q -r '^:[0-9]*[4567]$' -- $out[-1]
        __fish_complete_path (commandline -ct)
    end
end
complete -c kubectl-pg -f -a '(__kubectl_pg_complete)'
)";

bool is_visible(const CLI::App* app)
{
  return !app->get_name().empty() && !app->get_group().empty();
}

// The option `word` names (--name, --name=value, -n) on `app` or its parents.
const CLI::Option* find_option(const CLI::App* app, std::string_view word)
{
  const auto name = std::string(word.substr(0, word.find('=')));
  for (; app != nullptr; app = app->get_parent()) {
    for (const auto* option : app->get_options()) {
      if (option->check_name(name) && !option->get_positional()) {
        return option;
      }
    }
  }
  return nullptr;
}

bool takes_value(const CLI::Option* option)
{
  return option->get_type_size() != 0;
}

// The values an IsMember validator allows, from its description "{a,b,c}".
std::vector<std::string> allowed_values(const CLI::Option* option)
{
  std::vector<std::string> values;
  // CLI11 2.1 has no const get_validator().
  auto* mutable_option = const_cast<CLI::Option*>(option); // NOLINT(cppcoreguidelines-pro-type-const-cast)
  try {
    const auto* validator = mutable_option->get_validator();
    const auto text = validator->get_description();
    const auto open = text.find('{');
    const auto close = text.find('}', open);
    if (open == std::string::npos || close == std::string::npos) {
      return values;
    }
    std::string_view list(text.data() + open + 1, close - open - 1);
    while (!list.empty()) {
      const auto comma = list.find(',');
      values.emplace_back(list.substr(0, comma));
      list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    }
  } catch (const CLI::OptionNotFound&) {
  }
  return values;
}

void add_matching(std::string& out, const std::string& candidate, std::string_view prefix)
{
  if (std::string_view(candidate).starts_with(prefix)) {
    out += candidate;
    out += '\n';
  }
}

} // namespace

std::string complete_words(const CLI::App& root, const std::vector<std::string>& words)
{
  const CLI::App* current = &root;
  const CLI::Option* pending = nullptr; // a flag still waiting for its value
  const std::string typed = words.empty() ? std::string() : words.back();
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const auto& word = words[i];
    if (pending != nullptr) {
      pending = nullptr;
    } else if (word.starts_with("-")) {
      const auto* option = find_option(current, word);
      if (option != nullptr && takes_value(option) && word.find('=') == std::string::npos) {
        pending = option;
      }
    } else {
      for (const auto* sub : current->get_subcommands({})) {
        if (sub->get_name() == word && is_visible(sub)) {
          current = sub;
          break;
        }
      }
    }
  }
  std::string out;
  if (pending != nullptr) {
    const auto values = allowed_values(pending);
    for (const auto& value : values) {
      add_matching(out, value, typed);
    }
    return out + fmt::format(":{}\n", values.empty() ? k_directive_default
                                                      : k_directive_no_file_comp);
  }
  if (typed.starts_with("-")) {
    for (const CLI::App* app = current; app != nullptr; app = app->get_parent()) {
      for (const auto* option : app->get_options()) {
        if (option->get_positional() || option->get_group().empty()) {
          continue;
        }
        for (const auto& name : option->get_lnames()) {
          add_matching(out, "--" + name, typed);
        }
        for (const auto& name : option->get_snames()) {
          add_matching(out, "-" + name, typed);
        }
      }
    }
    return out + fmt::format(":{}\n", k_directive_no_file_comp);
  }
  for (const auto* sub : current->get_subcommands({})) {
    if (is_visible(sub)) {
      add_matching(out, sub->get_name(), typed);
    }
  }
  return out + fmt::format(":{}\n", k_directive_no_file_comp);
}

void add_completion_command(CLI::App& app, Context& ctx)
{
  auto shell = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("completion", "Print a shell completion script");
  sub->group(k_group_other);
  set_long_description(*sub, "Print the completion script of bash, zsh or fish for kubectl-pg. "
                   "For `kubectl pg <TAB>`, install completions/kubectl_complete-pg on PATH "
                   "instead: kubectl (1.26 or later) calls it for plugin completion.");
  sub->footer("Examples:\n"
              "  # bash, for this shell\n"
              "  source <(kubectl-pg completion bash)\n\n"
              "  # zsh, permanently\n"
              "  kubectl-pg completion zsh > \"${fpath[1]}/_kubectl-pg\"\n\n"
              "  # fish\n"
              "  kubectl-pg completion fish > ~/.config/fish/completions/kubectl-pg.fish");
  sub->add_option("SHELL", *shell, "bash, zsh or fish")
    ->required()
    ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  sub->callback([shell, &ctx] {
    ctx.out << (*shell == "bash" ? k_bash_script : *shell == "zsh" ? k_zsh_script : k_fish_script);
  });

}

} // namespace kpg::cmd
