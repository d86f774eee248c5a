#include "render/template_proof.hpp"

#include "core/error.hpp"
#include "core/yaml_json.hpp"
#include "render/template_render.hpp"
#include "render/template_values.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kpg::render {

namespace {

using Data = kainjow::mustache::data;
using BaseContext = LookupNotingContext;

// What the proof prints before the rendered text: documents are joined with it.
constexpr std::string_view k_document_start = "---\n";

// A value standing in for every value of one name and kind. `marker` is its
// text in the rendered output; a whole-value occurrence parses to a scalar
// `scalar` at the marker's position (for a collection: the one item of a
// one-item sequence). The control characters keep markers from matching
// anything a template says.
struct Sentinel
{
  std::string name;
  ValueKind kind;
  std::string encoded; // what the placeholder renders
  std::string marker;
  std::string scalar;
};

Sentinel make_sentinel(std::string name, ValueKind kind, std::size_t index)
{
  Sentinel sentinel{std::move(name), kind, {}, {}, {}};
  switch (kind) {
    case ValueKind::quoted:
      sentinel.marker = fmt::format(R"("\u0001kpg{:06}")", index);
      sentinel.scalar = fmt::format("\x01kpg{:06}", index);
      sentinel.encoded = sentinel.marker;
      break;
    case ValueKind::collection:
      sentinel.marker = fmt::format(R"("\u0002kpg{:06}")", index);
      sentinel.scalar = fmt::format("\x02kpg{:06}", index);
      sentinel.encoded = fmt::format("[\n  {}\n]", sentinel.marker);
      break;
    case ValueKind::plain:
      sentinel.marker = fmt::format("-913{:06}", index);
      sentinel.scalar = sentinel.marker;
      sentinel.encoded = sentinel.marker;
      break;
  }
  return sentinel;
}

// Resolves names as mustache does, but hands out a sentinel of the same kind
// in place of each value. Without data (the load-time probe) every name is a
// quoted sentinel, which also switches every section on.
class SentinelContext final : public BaseContext
{
public:
  explicit SentinelContext(const Data* data)
    : BaseContext(data)
    , m_probe(data == nullptr)
  {
  }

  const Data* get_partial(const std::string& name) const override
  {
    m_partials.insert(name);
    return nullptr;
  }

  const std::vector<Sentinel>& sentinels() const
  {
    return m_sentinels;
  }
  const std::set<std::string>& partials() const
  {
    return m_partials;
  }

protected:
  const Data* resolve(const std::string& name) const override
  {
    auto kind = ValueKind::quoted;
    if (!m_probe) {
      const auto* value = BaseContext::resolve(name);
      if (value == nullptr || !value->is_string()) {
        return value;
      }
      kind = value_kind(value->string_value());
    }
    const auto key = std::make_pair(name, kind);
    auto found = m_values.find(key);
    if (found == m_values.end()) {
      m_sentinels.push_back(make_sentinel(name, kind, m_sentinels.size() + 1));
      found = m_values.emplace(key, Data(m_sentinels.back().encoded)).first;
    }
    return &found->second;
  }

private:
  bool m_probe;
  mutable std::map<std::pair<std::string, ValueKind>, Data> m_values; // stable addresses
  mutable std::vector<Sentinel> m_sentinels;
  mutable std::set<std::string> m_partials;
};

std::vector<std::string_view> split_lines(std::string_view text)
{
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = std::min(text.find('\n'), text.size());
    auto line = text.substr(0, end);
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    lines.push_back(line);
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return lines;
}

// `line` without the spans that start with `open` and end with `close`.
std::string without_spans(std::string_view line, std::string_view open, std::string_view close)
{
  std::string out;
  for (auto start = line.find(open); start != std::string_view::npos; start = line.find(open)) {
    const auto end = line.find(close, start + open.size());
    if (end == std::string_view::npos) {
      break;
    }
    out.append(line.substr(0, start));
    line.remove_prefix(end + close.size());
  }
  out.append(line);
  return out;
}

// A line of section (or comment) tags only, which mustache leaves out;
// `without_tags` is the line without its tags.
bool is_section_tag_line(std::string_view line, std::string_view without_tags)
{
  if (without_tags.size() == line.size() ||
      without_tags.find_first_not_of(" \t") != std::string_view::npos) {
    return false;
  }
  for (auto pos = line.find("{{"); pos != std::string_view::npos; pos = line.find("{{", pos + 2)) {
    if (pos + 2 >= line.size() ||
        std::string_view("#^/!").find(line[pos + 2]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// Only comments and whitespace: an optional object switched off.
bool is_blank(std::string_view text)
{
  return std::ranges::all_of(split_lines(text), [](std::string_view line) {
    const auto first = line.find_first_not_of(" \t");
    return first == std::string_view::npos || line[first] == '#';
  });
}

// Checks one sentinel render of a template, as the header describes.
class Proof
{
public:
  Proof(const CompiledTemplate& tmpl, const std::string& text,
        const std::vector<Sentinel>& sentinels)
    : m_tmpl(tmpl)
    , m_text(text)
    , m_sentinels(sentinels)
  {
    for (const auto& sentinel : m_sentinels) {
      m_by_scalar.emplace(sentinel.scalar, &sentinel);
    }
  }

  ShapeVerdict run()
  {
    const auto occurrences = find_occurrences();
    if (is_blank(m_text)) {
      if (!occurrences.empty()) {
        fail_not_whole(occurrences.front());
      }
      return ShapeVerdict::nothing;
    }
    const auto documents = parse();
    if (documents.size() != 1 || !documents.front().IsMap()) {
      fail(fmt::format("must render to exactly one mapping (one Kubernetes object), got {}; a "
                       "template holds one object, without \"---\" or directives",
                       documents.size() == 1 ? "a non-mapping"
                                             : std::to_string(documents.size()) + " documents"));
    }
    walk(documents.front(), Role::value);
    for (const auto& occurrence : occurrences) {
      if (!m_whole.contains(occurrence.pos)) {
        fail_not_whole(occurrence);
      }
    }
    check_object(documents.front());
    return ShapeVerdict::object;
  }

private:
  struct Occurrence
  {
    std::size_t pos; // in the rendered text
    const Sentinel* sentinel;
  };
  enum class Role
  {
    key,
    value
  };

  std::vector<Occurrence> find_occurrences() const
  {
    std::vector<Occurrence> out;
    for (const auto& sentinel : m_sentinels) {
      for (auto pos = m_text.find(sentinel.marker); pos != std::string::npos;
           pos = m_text.find(sentinel.marker, pos + 1)) {
        out.push_back({pos, &sentinel});
      }
    }
    std::sort(out.begin(), out.end(),
              [](const Occurrence& a, const Occurrence& b) { return a.pos < b.pos; });
    return out;
  }

  std::vector<YAML::Node> parse() const
  {
    try {
      return YAML::LoadAll(std::string(k_document_start) + m_text);
    } catch (const YAML::Exception& e) {
      const auto line = e.mark.is_null() || e.mark.line < 1
                          ? std::size_t{0}
                          : static_cast<std::size_t>(e.mark.line - 1);
      fail(line_label(line) + ": not valid YAML: " + e.msg);
    }
  }

  // The sentinel a scalar node is, when it is one as a whole: quoted or plain
  // as the sentinel's kind says (no tag), or the item of a collection's.
  const Sentinel* whole_sentinel(const YAML::Node& scalar, ValueKind kind) const
  {
    const auto found = m_by_scalar.find(scalar.Scalar());
    if (found == m_by_scalar.end() || found->second->kind != kind) {
      return nullptr;
    }
    return scalar.Tag() == (kind == ValueKind::plain ? "?" : "!") ? found->second : nullptr;
  }

  void record(const YAML::Node& node, const Sentinel& sentinel, Role role)
  {
    const auto pos = static_cast<std::size_t>(node.Mark().pos) - k_document_start.size();
    if (role == Role::key) {
      fail(fmt::format("{}: placeholder {{{{{}}}}} is a mapping key in \"{}\"; placeholders "
                       "stand for values only: write the key in the template",
                       line_label(line_of(pos)), sentinel.name, placeholder_line(line_of(pos))));
    }
    m_whole.insert(pos);
  }

  void walk(const YAML::Node& node, Role role)
  {
    if (node.IsScalar()) {
      const auto* sentinel = whole_sentinel(node, ValueKind::quoted);
      sentinel = sentinel != nullptr ? sentinel : whole_sentinel(node, ValueKind::plain);
      if (sentinel != nullptr) {
        record(node, *sentinel, role);
      }
    } else if (node.IsSequence()) {
      const auto* sentinel = node.size() == 1 && node[0].IsScalar()
                               ? whole_sentinel(node[0], ValueKind::collection)
                               : nullptr;
      if (sentinel != nullptr) {
        record(node[0], *sentinel, role);
        return;
      }
      for (const auto& item : node) {
        walk(item, Role::value);
      }
    } else if (node.IsMap()) {
      for (const auto& entry : node) {
        walk(entry.first, Role::key);
        walk(entry.second, Role::value);
      }
    }
  }

  void check_object(const YAML::Node& document) const
  {
    nlohmann::ordered_json object;
    try {
      object = yaml_to_json(document);
    } catch (const Error& e) {
      fail(e.what());
    }
    const auto is_string = [](const nlohmann::ordered_json& parent, const char* key) {
      return parent.contains(key) && parent[key].is_string();
    };
    if (!is_string(object, "apiVersion") || !is_string(object, "kind") ||
        !object.contains("metadata") || !object["metadata"].is_object() ||
        !is_string(object["metadata"], "name")) {
      fail("the object lacks apiVersion, kind or metadata.name");
    }
  }

  std::size_t line_of(std::size_t pos) const
  {
    return static_cast<std::size_t>(
      std::count(m_text.begin(), m_text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
  }

  // The rendered line with each sentinel shown as its placeholder.
  std::string placeholder_line(std::size_t line) const
  {
    const auto lines = split_lines(m_text);
    std::string out(line < lines.size() ? lines[line] : std::string_view());
    for (const auto& sentinel : m_sentinels) {
      const auto shown = fmt::format("{{{{{}}}}}", sentinel.name);
      for (auto pos = out.find(sentinel.marker); pos != std::string::npos;
           pos = out.find(sentinel.marker, pos + shown.size())) {
        out.replace(pos, sentinel.marker.size(), shown);
      }
    }
    return out;
  }

  // "line N" of the template file a rendered line comes from. Rendered lines
  // are the template's in order, less section tags and sections not taken,
  // with values for placeholders: compare them with both left out. "rendered
  // line N" when no template line matches.
  std::string line_label(std::size_t rendered_line) const
  {
    std::vector<std::optional<std::string>> source;
    for (const auto line : split_lines(m_tmpl.source)) {
      auto text = without_spans(without_spans(line, "{{{", "}}}"), "{{", "}}");
      source.push_back(is_section_tag_line(line, text) ? std::nullopt
                                                       : std::optional(std::move(text)));
    }
    const auto rendered = split_lines(m_text);
    std::size_t next = 0;
    for (std::size_t r = 0; r <= rendered_line && r < rendered.size(); ++r) {
      std::string line(rendered[r]);
      for (const auto& sentinel : m_sentinels) {
        for (auto pos = line.find(sentinel.marker); pos != std::string::npos;
             pos = line.find(sentinel.marker, pos)) {
          line.erase(pos, sentinel.marker.size());
        }
      }
      const auto match = std::find(source.begin() + static_cast<std::ptrdiff_t>(next), source.end(),
                                   std::optional(line));
      if (match != source.end()) {
        next = static_cast<std::size_t>(match - source.begin()) + 1;
        if (r == rendered_line) {
          return fmt::format("line {}", next);
        }
      }
    }
    return fmt::format("rendered line {}", rendered_line + 1);
  }

  [[noreturn]] void fail_not_whole(const Occurrence& occurrence) const
  {
    const auto line = line_of(occurrence.pos);
    fail(fmt::format("{}: placeholder {{{{{}}}}} is not a whole YAML value in \"{}\"; a value "
                     "is substituted as one quoted string, number or flow collection, so its "
                     "placeholder must stand alone where a value goes, as in "
                     "\"key: {{{{{}}}}}\" (not inside other text, quotes, a comment, or after "
                     "a tag or anchor)",
                     line_label(line), occurrence.sentinel->name, placeholder_line(line),
                     occurrence.sentinel->name));
  }

  [[noreturn]] void fail(const std::string& what) const
  {
    throw UsageError(fmt::format("template {}: {}", m_tmpl.path, what));
  }

  const CompiledTemplate& m_tmpl;
  const std::string& m_text;
  const std::vector<Sentinel>& m_sentinels;
  std::unordered_map<std::string_view, const Sentinel*> m_by_scalar;
  std::unordered_set<std::size_t> m_whole; // positions of whole-value sentinels
};

ShapeVerdict prove(const CompiledTemplate& tmpl, SentinelContext& context)
{
  const auto text = render_template_text(tmpl, context);
  if (!context.partials().empty()) {
    throw UsageError(fmt::format("template {}: partial {{{{>{}}}}} is not supported: its text "
                                 "would be compiled from a value; write the text in the "
                                 "template",
                                 tmpl.path, *context.partials().begin()));
  }
  return Proof(tmpl, text, context.sentinels()).run();
}

} // namespace

void probe_template(const CompiledTemplate& tmpl)
{
  SentinelContext context(nullptr);
  prove(tmpl, context);
}

ShapeVerdict prove_shape(const CompiledTemplate& tmpl, const kainjow::mustache::data& data,
                         const kainjow::mustache::data* item)
{
  SentinelContext context(&data);
  if (item != nullptr) {
    context.push(item);
  }
  return prove(tmpl, context);
}

ShapeRecordingContext::ShapeRecordingContext(const kainjow::mustache::data* data)
  : BaseContext(data)
{
}

const kainjow::mustache::data* ShapeRecordingContext::resolve(const std::string& name) const
{
  const auto* value = BaseContext::resolve(name);
  if (value == nullptr) {
    m_missing.insert(name);
    m_shape.push_back('?');
  } else if (value->is_string()) {
    const auto kind = value_kind(value->string_value());
    m_shape.push_back(kind == ValueKind::quoted ? 'q' : kind == ValueKind::plain ? 'p' : 'c');
  } else if (value->is_list()) {
    m_shape += 'l' + std::to_string(value->list_value().size()) + ';';
  } else {
    m_shape.push_back(value->is_true() ? 't' : value->is_false() ? 'f' : 'o');
  }
  return value;
}

const kainjow::mustache::data* ShapeRecordingContext::get_partial(const std::string&) const
{
  return nullptr;
}

} // namespace kpg::render
