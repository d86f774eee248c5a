#pragma once
// Confirmation before destructive actions (delete --delete-data, ...).
//
//   confirm(ctx, "delete 3 PVCs of cluster db/orders and the data on them",
//           assume_yes ? Confirmation::assume_yes : Confirmation::ask);
//
// - Confirmation::assume_yes (--yes): returns at once, nothing printed.
// - stdin is a terminal: prints "About to <action>. Continue? [y/N] " on stderr
//   and reads one line; "y" or "yes" (any case) proceeds. Anything else,
//   including an empty line or end of input, throws kpg::Error with
//   ExitCode::aborted ("aborted: did not <action>"), never exit code 0.
// - stdin is not a terminal: throws kpg::Error with ExitCode::aborted
//   ("will not <action> without confirmation: stdin is not a terminal; pass
//   --yes to confirm"), without reading anything.

#include "core/context.hpp"

#include <string_view>

namespace kpg::ui {

enum class Confirmation
{
  ask,
  assume_yes
};

// `action` is lower-case and starts with a verb: "delete 3 PVCs of ...".
void confirm(Context& ctx, std::string_view action, Confirmation confirmation);

} // namespace kpg::ui
