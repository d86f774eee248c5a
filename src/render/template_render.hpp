#pragma once
// Renders one compiled template to YAML text with a mustache context.

#include "render/template_set.hpp"

#include <kainjow/mustache.hpp>

#include <string>

namespace kpg::render {

// A mustache context that notes lookups that did not open a section, so that
// render_template_text can tell the lines that held tags rendering nothing.
// Subclasses resolve names in resolve().
class LookupNotingContext : public kainjow::mustache::context<std::string>
{
public:
  explicit LookupNotingContext(const kainjow::mustache::data* data);

  const kainjow::mustache::data* get(const std::string& name) const final;
  // Mustache pushes what a section it enters iterates.
  void push(const kainjow::mustache::data* data) final;

  // Whether a lookup that opened no section happened since the last call.
  bool take_lookup();

protected:
  // As mustache resolves `name` (the innermost pushed item first).
  virtual const kainjow::mustache::data* resolve(const std::string& name) const;

private:
  mutable bool m_looked_up = false;
};

// Renders `tmpl` with the values `context` resolves.
// - Values are one line, except non-empty collections (ValueKind::collection),
//   which JSON pretty-prints over several lines: each of their line breaks is
//   followed by the indentation of the line they are on (its leading spaces
//   and "- " markers) plus two, so that every continuation line sits deeper
//   than the key the collection belongs to, as YAML requires of a flow
//   collection in a block.
// - A line that held tags and renders blank is dropped, as mustache's
//   standalone-tag rule wants (kainjow keeps it for a section not taken).
std::string render_template_text(const CompiledTemplate& tmpl, LookupNotingContext& context);

} // namespace kpg::render
