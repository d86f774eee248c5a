#pragma once
// The templates of one engine (templates/<engine>/*.yaml), compiled once and
// rendered many times. Each file holds one Kubernetes object in plain YAML
// with mustache placeholders ({{name}}, sections {{#flag}}..{{/flag}}).
// A file whose first line is "# kubectl-pg: for-each LIST" is rendered once
// per item of LIST (e.g. the Secrets); a file that renders to nothing but
// comments and blank lines is skipped (an optional object, e.g. Namespace).

#include <kainjow/mustache.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kpg::render {

struct CompiledTemplate
{
  std::string path;     // "patroni/50-statefulset.yaml", for messages
  std::string for_each; // the list it iterates, or "" for a single object
  mutable kainjow::mustache::mustache mustache; // rendering mutates its error state
};

class TemplateSet
{
public:
  // The templates compiled into the binary (cmake/embed_templates.cmake).
  static TemplateSet embedded(std::string_view engine);
  // DIR/<engine>/*.yaml, replacing the embedded set as a whole (--templates).
  // Throws kpg::UsageError when the directory or a file cannot be used.
  static TemplateSet from_directory(const std::filesystem::path& dir, std::string_view engine);

  // Sorted by file name: the order objects are rendered and printed in.
  const std::vector<std::unique_ptr<CompiledTemplate>>& templates() const
  {
    return m_templates;
  }

private:
  // Compiles one file; throws kpg::UsageError naming the file on a syntax error.
  void add(std::string path, const std::string& text);

  std::vector<std::unique_ptr<CompiledTemplate>> m_templates;
};

} // namespace kpg::render
