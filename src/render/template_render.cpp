#include "render/template_render.hpp"

#include <utility>

namespace kpg::render {

namespace {

// Where the node on `line` starts: past the indentation and any "- " markers.
std::size_t node_column(const std::string& line)
{
  std::size_t column = line.find_first_not_of(' ');
  while (column != std::string::npos && line.compare(column, 2, "- ") == 0) {
    column = line.find_first_not_of(' ', column + 2);
  }
  return column == std::string::npos ? line.size() : column;
}

bool is_line_break(const std::string& chunk)
{
  return chunk == "\n" || chunk == "\r\n" || chunk == "\r";
}

// The stream kainjow renders into: it hands over each line's content, then
// its line break on its own. Line breaks inside a line's content come from
// multi-line values.
class TemplateSink
{
public:
  TemplateSink(std::string& out, LookupNotingContext& context)
    : m_out(out)
    , m_context(context)
  {
  }

  TemplateSink& operator<<(const std::string& chunk)
  {
    if (is_line_break(chunk)) {
      if (!m_dropping_line) {
        m_out += chunk;
      }
      m_dropping_line = false;
    } else if (m_context.take_lookup() && chunk.find_first_not_of(" \t") == std::string::npos) {
      m_dropping_line = true; // only tags that rendered nothing
    } else if (chunk.find('\n') == std::string::npos) {
      m_out += chunk;
    } else {
      append_indented(chunk);
    }
    return *this;
  }

private:
  void append_indented(const std::string& line)
  {
    const auto indent = node_column(line) + 2;
    std::size_t from = 0;
    for (auto pos = line.find('\n'); pos != std::string::npos; pos = line.find('\n', from)) {
      m_out.append(line, from, pos + 1 - from);
      m_out.append(indent, ' ');
      from = pos + 1;
    }
    m_out.append(line, from);
  }

  std::string& m_out;
  LookupNotingContext& m_context;
  bool m_dropping_line = false;
};

} // namespace

LookupNotingContext::LookupNotingContext(const kainjow::mustache::data* data)
  : kainjow::mustache::context<std::string>(data)
{
}

const kainjow::mustache::data* LookupNotingContext::get(const std::string& name) const
{
  m_looked_up = true;
  return resolve(name);
}

void LookupNotingContext::push(const kainjow::mustache::data* data)
{
  m_looked_up = false;
  kainjow::mustache::context<std::string>::push(data);
}

bool LookupNotingContext::take_lookup()
{
  return std::exchange(m_looked_up, false);
}

const kainjow::mustache::data* LookupNotingContext::resolve(const std::string& name) const
{
  return kainjow::mustache::context<std::string>::get(name);
}

std::string render_template_text(const CompiledTemplate& tmpl, LookupNotingContext& context)
{
  std::string text;
  text.reserve(tmpl.source.size() * 2);
  TemplateSink sink(text, context);
  context.take_lookup();
  tmpl.mustache.render(context, sink);
  return text;
}

} // namespace kpg::render
