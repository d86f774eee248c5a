#include "kube/exec_status.hpp"

#include <doctest/doctest.h>

using kpg::kube::ApiStatus;

namespace {

ApiStatus parsed(const char* json)
{
  auto status = kpg::kube::parse_api_status(json);
  REQUIRE(status);
  return *status;
}

} // namespace

TEST_CASE("exit_code_from_status")
{
  SUBCASE("Success is exit code 0")
  {
    const auto code = kpg::kube::exit_code_from_status(parsed(R"({"status":"Success"})"));
    REQUIRE(code);
    CHECK(*code == 0);
  }
  SUBCASE("NonZeroExitCode carries the code in the ExitCode cause")
  {
    const auto code = kpg::kube::exit_code_from_status(parsed(
      R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: 42",)"
      R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"42"}]}})"));
    REQUIRE(code);
    CHECK(*code == 42);
  }
  SUBCASE("an exit code outside 0-255")
  {
    const auto code = kpg::kube::exit_code_from_status(parsed(
      R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"256"}]}})"));
    REQUIRE_FALSE(code);
    CHECK(code.error() == "status channel: invalid exit code \"256\"");
  }
  SUBCASE("NonZeroExitCode without the cause")
  {
    const auto code = kpg::kube::exit_code_from_status(
      parsed(R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[]}})"));
    REQUIRE_FALSE(code);
    CHECK(code.error() == "status channel: NonZeroExitCode without an ExitCode cause");
  }
  SUBCASE("a command that could not start")
  {
    const auto code = kpg::kube::exit_code_from_status(parsed(
      R"({"status":"Failure","reason":"InternalError","message":"exec: \"nope\": executable file not found in $PATH"})"));
    REQUIRE_FALSE(code);
    CHECK(code.error() == "command failed in the container (InternalError): exec: \"nope\": "
                          "executable file not found in $PATH");
  }
  SUBCASE("a failure without a reason")
  {
    const auto code =
      kpg::kube::exit_code_from_status(parsed(R"({"status":"Failure","message":"boom"})"));
    REQUIRE_FALSE(code);
    CHECK(code.error() == "command failed in the container: boom");
  }
  SUBCASE("an unknown status")
  {
    const auto code = kpg::kube::exit_code_from_status(parsed(R"({"metadata":{}})"));
    REQUIRE_FALSE(code);
    CHECK(code.error() == "status channel: unknown status \"\"");
  }
}

TEST_CASE("ExecError::code")
{
  using kpg::kube::ExecError;
  using kpg::kube::ExecFailure;
  CHECK(ExecError(ExecFailure::transport, "x").code() == kpg::ExitCode::unreachable);
  CHECK(ExecError(ExecFailure::cancelled, "x").code() == kpg::ExitCode::interrupted);
  CHECK(ExecError(ExecFailure::refused, "x").code() == kpg::ExitCode::failure);
  CHECK(std::string(ExecError(ExecFailure::remote, "boom").what()) == "boom");
}

TEST_CASE("to_command_error(ExecError)")
{
  using kpg::kube::ExecError;
  using kpg::kube::ExecFailure;
  SUBCASE("a refused upgrade with a Status is worded as kubectl words the API error")
  {
    const auto status = parsed(
      R"({"status":"Failure","message":"pods \"pg-0\" not found","reason":"NotFound","code":404})");
    const ExecError refused(ExecFailure::refused, "ignored", status);
    const auto error = kpg::kube::to_command_error(refused, "running psql in pod db/pg-0");
    CHECK(
      std::string(error.what()) ==
      "Error from server (NotFound): while running psql in pod db/pg-0: pods \"pg-0\" not found");
    CHECK(error.format() == kpg::MessageFormat::kubectl);
    CHECK(error.code() == kpg::ExitCode::failure);
  }
  SUBCASE("other failures keep their text and exit code behind the attempt")
  {
    const ExecError lost(ExecFailure::transport, "connecting to the API server 127.0.0.1:1: boom");
    const auto error = kpg::kube::to_command_error(lost, "running psql in pod db/pg-0");
    CHECK(std::string(error.what()) ==
          "running psql in pod db/pg-0: connecting to the API server 127.0.0.1:1: boom");
    CHECK(error.format() == kpg::MessageFormat::plain);
    CHECK(error.code() == kpg::ExitCode::unreachable);
  }
}
