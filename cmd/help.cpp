#include "cmd/help.hpp"

#include <sstream>

namespace kpg::cmd {

namespace {

constexpr const char* k_paragraph_break = "\n\n";

} // namespace

void set_long_description(CLI::App& sub, const std::string& long_description)
{
  sub.description(sub.get_description() + k_paragraph_break + long_description);
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const
{
  const std::string& description = sub->get_description();
  std::ostringstream out;
  CLI::detail::format_help(out, sub->get_display_name(true),
                           description.substr(0, description.find(k_paragraph_break)),
                           get_column_width());
  return out.str();
}

} // namespace kpg::cmd
