#include "ui/prompt.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <istream>
#include <ostream>
#include <string>

namespace kpg::ui {

namespace {

bool is_yes(std::string answer)
{
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  answer.erase(answer.begin(), std::find_if(answer.begin(), answer.end(), not_space));
  answer.erase(std::find_if(answer.rbegin(), answer.rend(), not_space).base(), answer.end());
  std::transform(answer.begin(), answer.end(), answer.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return answer == "y" || answer == "yes";
}

} // namespace

void confirm(Context& ctx, std::string_view action, Confirmation confirmation)
{
  if (confirmation == Confirmation::assume_yes) {
    return;
  }
  if (!ctx.stdin_is_tty) {
    throw Error(fmt::format("will not {} without confirmation: stdin is not a terminal; pass "
                            "--yes to confirm",
                            action),
                ExitCode::aborted);
  }
  ctx.err << fmt::format("About to {}. Continue? [y/N] ", action) << std::flush;
  std::string answer;
  const bool answered = static_cast<bool>(std::getline(ctx.in, answer));
  if (!answered) {
    ctx.err << '\n';
  }
  if (!answered || !is_yes(answer)) {
    throw Error(fmt::format("aborted: did not {}", action), ExitCode::aborted);
  }
}

} // namespace kpg::ui
