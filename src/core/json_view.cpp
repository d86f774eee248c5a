#include "core/json_view.hpp"

#include <fmt/format.h>

namespace kpg {

namespace {

constexpr std::size_t k_max_shown = 40; // characters of an unexpected value shown in errors

} // namespace

nlohmann::json parse_json(std::string_view text)
{
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw JsonError(fmt::format("not valid JSON at byte {}", e.byte));
  }
}

JsonView::JsonView(const nlohmann::json& value, std::string path)
  : m_value(value)
  , m_path(std::move(path))
{
}

void JsonView::fail(std::string_view expected) const
{
  std::string shown = m_value.dump();
  if (shown.size() > k_max_shown) {
    shown = shown.substr(0, k_max_shown) + "...";
  }
  throw JsonError(
    fmt::format("{}: expected {}, got {}", m_path.empty() ? "document" : m_path, expected, shown));
}

std::string JsonView::child_path(std::string_view key) const
{
  return m_path.empty() ? std::string(key) : fmt::format("{}.{}", m_path, key);
}

std::optional<JsonView> JsonView::find(std::string_view key) const
{
  if (!m_value.is_object()) {
    fail("an object");
  }
  const auto found = m_value.find(key);
  if (found == m_value.end() || found->is_null()) {
    return std::nullopt;
  }
  return JsonView(*found, child_path(key));
}

JsonView JsonView::at(std::string_view key) const
{
  auto found = find(key);
  if (!found) {
    throw JsonError(fmt::format("{}: missing", child_path(key)));
  }
  return *found;
}

std::vector<JsonView> JsonView::elements() const
{
  if (!m_value.is_array()) {
    fail("an array");
  }
  std::vector<JsonView> result;
  result.reserve(m_value.size());
  for (std::size_t i = 0; i < m_value.size(); ++i) {
    result.emplace_back(m_value[i], fmt::format("{}[{}]", m_path, i));
  }
  return result;
}

std::string JsonView::as_string() const
{
  if (!m_value.is_string()) {
    fail("a string");
  }
  return m_value.get<std::string>();
}

std::int64_t JsonView::as_int() const
{
  if (!m_value.is_number_integer()) {
    fail("an integer");
  }
  return m_value.get<std::int64_t>();
}

std::uint64_t JsonView::as_uint() const
{
  if (!m_value.is_number_unsigned()) {
    fail("a non-negative integer");
  }
  return m_value.get<std::uint64_t>();
}

double JsonView::as_number() const
{
  if (!m_value.is_number()) {
    fail("a number");
  }
  return m_value.get<double>();
}

bool JsonView::as_bool() const
{
  if (!m_value.is_boolean()) {
    fail("true or false");
  }
  return m_value.get<bool>();
}

std::optional<std::string> JsonView::string_at(std::string_view key) const
{
  auto found = find(key);
  return found ? std::optional(found->as_string()) : std::nullopt;
}

std::optional<std::int64_t> JsonView::int_at(std::string_view key) const
{
  auto found = find(key);
  return found ? std::optional(found->as_int()) : std::nullopt;
}

bool JsonView::bool_at(std::string_view key, bool fallback) const
{
  auto found = find(key);
  return found ? found->as_bool() : fallback;
}

} // namespace kpg
