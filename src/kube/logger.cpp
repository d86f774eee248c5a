#include "kube/logger.hpp"

#include "kube/http.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>

namespace kpg::kube {

namespace {

void redact_secrets(nlohmann::json& doc)
{
  if (!doc.is_object()) {
    return;
  }
  if (doc.value("kind", "") == "Secret") {
    for (const char* key : { "data", "stringData" }) {
      if (auto it = doc.find(key); it != doc.end() && it->is_object()) {
        for (auto& [name, value] : it->items()) {
          value = "<redacted>";
        }
      }
    }
  }
  for (const char* key : { "items", "object" }) {
    if (auto it = doc.find(key); it != doc.end()) {
      if (it->is_array()) {
        for (auto& item : *it) {
          redact_secrets(item);
        }
      } else {
        redact_secrets(*it);
      }
    }
  }
}

} // namespace

void Logger::log(int level, std::string_view message) const
{
  if (enabled(level)) {
    *m_out << "I " << message << '\n';
  }
}

std::string redact_header(std::string_view name, std::string_view value)
{
  if (header_name_equals(name, "Authorization")) {
    const auto space = value.find(' ');
    return fmt::format("{} <masked>",
                       space == std::string_view::npos ? "" : value.substr(0, space));
  }
  return std::string(value);
}

std::string redact_body(std::string_view body, std::size_t max_bytes)
{
  std::string text(body);
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_discarded()) {
    redact_secrets(doc);
    text = doc.dump();
  }
  if (text.size() > max_bytes) {
    text =
      fmt::format("{} [truncated {} bytes]", text.substr(0, max_bytes), text.size() - max_bytes);
  }
  return text;
}

} // namespace kpg::kube
