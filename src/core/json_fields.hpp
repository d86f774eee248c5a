#pragma once
// Parsing JSON while keeping only some fields: nlohmann's SAX interface
// (json::sax_parse) drives a DOM builder that creates nothing for the fields a
// FieldMask leaves out. A LIST page of 5,000 StatefulSets is about 20 MB of
// which `list` reads a few hundred bytes per object; building the whole DOM
// (every managedFields entry, every container field) and then throwing most
// of it away cost more than receiving it (README "Tests and figures").
//
// A mask is a tree of object keys. A key with no children keeps its whole
// value; arrays are transparent: an array's elements are filtered by the mask
// that applies to the array. Keys not in the mask are skipped with everything
// under them. Paths are written with dots: "metadata.labels",
// "items.spec.template.spec.containers.image" (every item's every container's
// image).

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace kpg {

class FieldMask
{
public:
  // A mask that keeps everything.
  FieldMask() = default;
  // A mask that keeps the listed dotted paths and nothing else.
  FieldMask(std::initializer_list<std::string_view> paths);

  // Adds a dotted path (what it names is kept whole).
  void keep(std::string_view path);
  // Keeps `mask`'s fields under the dotted path `prefix`.
  void keep(std::string_view prefix, const FieldMask& mask);

  bool keeps_all() const
  {
    return m_children.empty();
  }
  // The mask of the value under `key`, or nullptr when it is skipped.
  const FieldMask* child(std::string_view key) const;

private:
  FieldMask& descend(std::string_view path);

  std::map<std::string, FieldMask, std::less<>> m_children;
};

// Parses `text` keeping only what `mask` names. Returns a discarded value
// (is_discarded()) when `text` is not valid JSON, like json::parse(text,
// nullptr, false).
nlohmann::json parse_fields(std::string_view text, const FieldMask& mask);

} // namespace kpg
