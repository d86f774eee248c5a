#pragma once
// Command-level errors. Low layers return Expected<T, E> (core/expected.hpp);
// commands throw kpg::Error, which cmd/main.cpp catches once, prints on stderr
// (error_line()) and turns into the exit code it carries.

#include "core/exit_code.hpp"

#include <stdexcept>
#include <string>

namespace kpg {

// How an error message is printed.
enum class MessageFormat
{
  plain,   // "error: <message>", kubectl's form for its own errors
  kubectl, // already as kubectl prints it ("Error from server (NotFound): ..."): as is
};

class Error : public std::runtime_error
{
public:
  explicit Error(const std::string& message, ExitCode code = ExitCode::failure,
                 MessageFormat format = MessageFormat::plain)
    : std::runtime_error(message)
    , m_code(code)
    , m_format(format)
  {
  }

  ExitCode code() const
  {
    return m_code;
  }

  MessageFormat format() const
  {
    return m_format;
  }

private:
  ExitCode m_code;
  MessageFormat m_format;
};

// Bad flags, arguments or spec: exit code 2, and nothing was changed.
class UsageError : public Error
{
public:
  explicit UsageError(const std::string& message)
    : Error(message, ExitCode::usage)
  {
  }
};

// The line cmd/main.cpp prints on stderr for `error`, newline included.
inline std::string error_line(const Error& error)
{
  if (error.format() == MessageFormat::kubectl) {
    return std::string(error.what()) + '\n';
  }
  return "error: " + std::string(error.what()) + '\n';
}

} // namespace kpg
