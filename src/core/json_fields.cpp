#include "core/json_fields.hpp"

#include <cstddef>
#include <utility>
#include <vector>

namespace kpg {

FieldMask::FieldMask(std::initializer_list<std::string_view> paths)
{
  for (const auto path : paths) {
    keep(path);
  }
}

FieldMask& FieldMask::descend(std::string_view path)
{
  FieldMask* node = this;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    auto found = node->m_children.find(key);
    if (found == node->m_children.end()) {
      found = node->m_children.emplace(std::string(key), FieldMask()).first;
    }
    node = &found->second;
  }
  return *node;
}

void FieldMask::keep(std::string_view path)
{
  descend(path);
}

void FieldMask::keep(std::string_view prefix, const FieldMask& mask)
{
  FieldMask& node = descend(prefix);
  for (const auto& [key, child] : mask.m_children) {
    node.m_children.insert_or_assign(key, child);
  }
}

const FieldMask* FieldMask::child(std::string_view key) const
{
  if (keeps_all()) {
    return this;
  }
  const auto found = m_children.find(key);
  return found == m_children.end() ? nullptr : &found->second;
}

namespace {

using json = nlohmann::json;

// A json_sax_t (nlohmann/detail/input/json_sax.hpp) that builds the kept
// values only. Inside a skipped value it merely counts nesting.
class MaskedDomBuilder
{
public:
  explicit MaskedDomBuilder(const FieldMask& mask)
    : m_root_mask(mask)
  {
  }

  bool null()
  {
    put(json(nullptr));
    return true;
  }
  bool boolean(bool value)
  {
    put(json(value));
    return true;
  }
  bool number_integer(json::number_integer_t value)
  {
    put(json(value));
    return true;
  }
  bool number_unsigned(json::number_unsigned_t value)
  {
    put(json(value));
    return true;
  }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/)
  {
    put(json(value));
    return true;
  }
  bool string(json::string_t& value)
  {
    put(json(std::move(value)));
    return true;
  }
  bool binary(json::binary_t& value)
  {
    put(json::binary(std::move(value)));
    return true;
  }
  bool start_object(std::size_t /*elements*/)
  {
    open(json::object());
    return true;
  }
  bool start_array(std::size_t /*elements*/)
  {
    open(json::array());
    return true;
  }
  bool end_object()
  {
    close();
    return true;
  }
  bool end_array()
  {
    close();
    return true;
  }
  bool key(json::string_t& key)
  {
    if (m_skipped_depth > 0) {
      return true;
    }
    m_next_mask = m_stack.back().mask->child(key);
    if (m_next_mask != nullptr) {
      m_key = std::move(key);
    }
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/)
  {
    m_failed = true;
    return false;
  }

  json result() &&
  {
    return m_failed ? json(json::value_t::discarded) : std::move(m_root);
  }

private:
  struct Frame
  {
    json* value;
    const FieldMask* mask;
  };

  // Stores `value` where the parser is; false when it is skipped.
  bool put(json&& value)
  {
    if (m_skipped_depth > 0) {
      return false;
    }
    if (m_stack.empty()) {
      m_root = std::move(value);
      m_last = { &m_root, &m_root_mask };
      return true;
    }
    Frame& top = m_stack.back();
    if (top.value->is_array()) {
      top.value->push_back(std::move(value));
      m_last = { &top.value->back(), top.mask };
      return true;
    }
    if (m_next_mask == nullptr) {
      return false;
    }
    json& slot = (*top.value)[m_key];
    slot = std::move(value);
    m_last = { &slot, m_next_mask };
    m_next_mask = nullptr;
    return true;
  }

  void open(json&& container)
  {
    if (put(std::move(container))) {
      m_stack.push_back(m_last);
    } else {
      ++m_skipped_depth;
    }
  }

  void close()
  {
    if (m_skipped_depth > 0) {
      --m_skipped_depth;
    } else {
      m_stack.pop_back();
    }
  }

  const FieldMask& m_root_mask;
  json m_root;
  std::vector<Frame> m_stack;
  Frame m_last{ nullptr, nullptr };
  const FieldMask* m_next_mask = nullptr; // the mask of the value after the last key
  std::string m_key;
  std::size_t m_skipped_depth = 0;
  bool m_failed = false;
};

} // namespace

nlohmann::json parse_fields(std::string_view text, const FieldMask& mask)
{
  MaskedDomBuilder builder(mask);
  json::sax_parse(text, &builder);
  return std::move(builder).result();
}

} // namespace kpg
