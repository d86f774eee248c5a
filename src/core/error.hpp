#pragma once
// Command-level errors. Low layers return Expected<T, E> (core/expected.hpp);
// commands throw kpg::Error, which cmd/main.cpp catches once, prints as
// "error: <message>" on stderr and turns into the exit code it carries.

#include "core/exit_code.hpp"

#include <stdexcept>
#include <string>

namespace kpg {

class Error : public std::runtime_error
{
public:
  explicit Error(const std::string& message, ExitCode code = ExitCode::failure)
    : std::runtime_error(message),
      m_code(code)
  {
  }

  ExitCode code() const
  {
    return m_code;
  }

private:
  ExitCode m_code;
};

// Bad flags, arguments or spec: exit code 2, and nothing was changed.
class UsageError : public Error
{
public:
  explicit UsageError(const std::string& message) : Error(message, ExitCode::usage)
  {
  }
};

} // namespace kpg
