#pragma once
// The templates of one engine (templates/<engine>/*.yaml), compiled and
// proven once, then rendered many times. Each file holds one Kubernetes
// object in plain YAML with mustache placeholders ({{name}}, sections
// {{#flag}}..{{/flag}}), each placeholder standing for a whole YAML value
// (template_proof.hpp). A file whose first line is
// "# kubectl-pg: for-each LIST" is rendered once per item of LIST (e.g. the
// Secrets); that line is not part of the output. A file that renders to
// nothing but comments and blank lines is skipped (an optional object, e.g.
// the Namespace).

#include <kainjow/mustache.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kpg::render {

// What a render of a proven shape produces.
enum class ShapeVerdict
{
  object,  // exactly one Kubernetes object
  nothing, // only comments and blank lines: skipped
};

// The shapes (sections taken, list lengths, kinds of values: see
// template_proof.hpp) a template has been proven safe for, with their
// verdicts. Safe to use from several threads.
class ProvenShapes
{
public:
  std::optional<ShapeVerdict> find(const std::string& shape) const;
  void add(const std::string& shape, ShapeVerdict verdict) const;
  std::size_t size() const;

private:
  mutable std::mutex m_mutex;
  mutable std::unordered_map<std::string, ShapeVerdict> m_verdicts;
};

struct CompiledTemplate
{
  // Compiles `text` (the file at `template_path`); check mustache.is_valid()
  // before use.
  CompiledTemplate(std::string template_path, std::string text);

  std::string path;                             // "patroni/50-statefulset.yaml", for messages
  std::string source;                           // the file's text, for the line numbers of messages
  std::string for_each;                         // the list it iterates, or "" for a single object
  mutable kainjow::mustache::mustache mustache; // rendering is not const in kainjow
  ProvenShapes proven;
};

class TemplateSet
{
public:
  // The templates compiled into the binary (cmake/embed_templates.cmake).
  // They are not probed at load (probe_template): the unit tests probe them,
  // and every render shape is still proven at its first render.
  static TemplateSet embedded(std::string_view engine);
  // DIR/<engine>/*.yaml, replacing the embedded set as a whole (--templates),
  // each probed at load. Throws kpg::UsageError when the directory or a file
  // cannot be used.
  static TemplateSet from_directory(const std::filesystem::path& dir, std::string_view engine);

  // Sorted by file name: the order objects are rendered and printed in.
  const std::vector<std::unique_ptr<CompiledTemplate>>& templates() const
  {
    return m_templates;
  }

private:
  enum class Probe
  {
    at_load,
    skip
  };

  // Compiles one file and, with Probe::at_load, proves its placeholders
  // (probe_template); throws kpg::UsageError naming the file on a syntax
  // error or an unsafe placeholder.
  void add(std::string path, std::string text, Probe probe);

  std::vector<std::unique_ptr<CompiledTemplate>> m_templates;
};

} // namespace kpg::render
