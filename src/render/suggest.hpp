#pragma once
// "Did you mean ...?" for misspelt field names and flags.

#include <string>
#include <string_view>
#include <vector>

namespace kpg::render {

// The candidate closest to `word` by edit distance (Levenshtein), if it is
// within a third of the word's length (at least 1, at most 3 edits); else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

} // namespace kpg::render
