#pragma once
// Structural safety of templates, proven once per shape instead of checked on
// every render.
//
// Every value reaches a template as one self-contained YAML node: a quoted
// string, a plain number/boolean/null or a flow collection
// (template_values.hpp). It cannot change a manifest's structure provided its
// placeholder stands where a whole YAML value goes: not inside a larger
// scalar, a quoted string, a block scalar or a comment, not as a mapping key,
// not behind a tag or an anchor. Whether that holds depends on the template
// and on the render's shape (the sections it takes, the lengths of the lists
// it iterates and the kind of each value), never on what the values say. So
// each shape is proven once: the template is rendered with a sentinel of the
// same kind in place of every value, that text is parsed (yaml-cpp), and
// every occurrence of every sentinel must be a whole value node. The text
// must also be exactly one mapping with apiVersion, kind and metadata.name
// (or only comments: nothing), and stay one document when printed after a
// "---". Renders of a proven shape are printed as rendered, not parsed again.

#include "render/template_render.hpp"
#include "render/template_set.hpp"

#include <kainjow/mustache.hpp>

#include <set>
#include <string>

namespace kpg::render {

// At load: renders `tmpl` with a quoted sentinel for every name and every
// section switched on (so inverted sections off), and proves that text, so
// that a misplaced placeholder is reported before any value exists.
// Placeholders inside inverted sections, and plain or collection values,
// are proven at their first render (prove_shape). Throws kpg::UsageError
// naming the template, the line and the placeholder.
void probe_template(const CompiledTemplate& tmpl);

// Proves the shape of a render of `tmpl` with `data` (and `item`, a for-each
// list item, shadowing it). Throws kpg::UsageError as probe_template does.
ShapeVerdict prove_shape(const CompiledTemplate& tmpl, const kainjow::mustache::data& data,
                         const kainjow::mustache::data* item);

// The mustache context of a real render: resolves names in the values as
// mustache does, records the render's shape (what each lookup found: its
// kind of value, section switch or list length) for ProvenShapes, and every
// name it could not resolve. Partials ({{>name}}) resolve to nothing: their
// text would be compiled from a value (prove_shape rejects them).
class ShapeRecordingContext final : public LookupNotingContext
{
public:
  explicit ShapeRecordingContext(const kainjow::mustache::data* data);

  const kainjow::mustache::data* get_partial(const std::string& name) const override;

  const std::string& shape() const
  {
    return m_shape;
  }
  const std::set<std::string>& missing() const
  {
    return m_missing;
  }

protected:
  const kainjow::mustache::data* resolve(const std::string& name) const override;

private:
  mutable std::string m_shape;
  mutable std::set<std::string> m_missing;
};

} // namespace kpg::render
