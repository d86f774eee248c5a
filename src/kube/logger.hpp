#pragma once
// -v logging of API traffic, in kubectl's spirit (klog levels):
//   -v 6  one line per request: "GET https://host/api/v1/... 200 OK in 12 milliseconds"
//   -v 7  plus request headers (Authorization shown as "Bearer <masked>")
//   -v 8  plus request and response bodies, truncated; Secret data redacted
//   -v 9  plus response headers and every retry and credential refresh
// Secrets never reach the log: credentials are SecretString (no operator<<),
// headers pass through redact_header() and bodies through redact_body().

#include <iosfwd>
#include <string>
#include <string_view>

namespace kpg::kube {

class Logger
{
public:
  // A logger that writes nothing.
  Logger() = default;
  Logger(std::ostream& out, int verbosity)
    : m_out(&out)
    , m_verbosity(verbosity)
  {
  }
  bool enabled(int level) const
  {
    return m_out != nullptr && m_verbosity >= level;
  }
  // Writes "I <message>" when verbosity >= level.
  void log(int level, std::string_view message) const;

private:
  std::ostream* m_out = nullptr;
  int m_verbosity = 0;
};

// "Bearer <masked>" for Authorization, the value itself for other headers.
std::string redact_header(std::string_view name, std::string_view value);

// A JSON body for the log: Secret data/stringData values (also inside lists)
// become "<redacted>", and the text is cut at `max_bytes`. Non-JSON bodies are
// only cut.
std::string redact_body(std::string_view body, std::size_t max_bytes = 10240);

} // namespace kpg::kube
