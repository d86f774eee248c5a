#pragma once
// Typed reads from a parsed JSON document that name the field's path when the
// document is not what was expected:
//   members[1].timeline: expected an integer, got "5"
// For responses of other programs (Patroni's REST API, ...). Readers throw
// JsonError; the parse function at the boundary catches it and returns an
// Expected with the path in the message. A missing member and a JSON null read
// the same (Patroni writes both).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kpg {

class JsonError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// Parses text as JSON; on failure throws JsonError "not valid JSON at byte N".
nlohmann::json parse_json(std::string_view text);

class JsonView
{
public:
  // `path` names `value` in errors; "" for the document itself.
  explicit JsonView(const nlohmann::json& value, std::string path = {});

  const nlohmann::json& json() const
  {
    return m_value;
  }
  const std::string& path() const
  {
    return m_path;
  }

  // Object members. find() returns nullopt for a missing or null member;
  // at() throws "<path>.<key>: missing". Both throw if this is not an object.
  std::optional<JsonView> find(std::string_view key) const;
  JsonView at(std::string_view key) const;

  // Array elements, in order; throws if this is not an array.
  std::vector<JsonView> elements() const;

  // This value as a type; throws "<path>: expected <type>, got <value>".
  std::string as_string() const;
  std::int64_t as_int() const;
  std::uint64_t as_uint() const;
  double as_number() const;
  bool as_bool() const;

  // Shorthands for optional members of a given type.
  std::optional<std::string> string_at(std::string_view key) const;
  std::optional<std::int64_t> int_at(std::string_view key) const;
  bool bool_at(std::string_view key, bool fallback) const;

private:
  [[noreturn]] void fail(std::string_view expected) const;
  std::string child_path(std::string_view key) const;

  const nlohmann::json& m_value;
  std::string m_path;
};

} // namespace kpg
