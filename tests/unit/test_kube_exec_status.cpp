#include "kube/exec_status.hpp"

#include <doctest/doctest.h>

using kpg::kube::ExecStatus;

TEST_CASE("parse_exec_status")
{
  SUBCASE("an API error Status")
  {
    const auto status = kpg::kube::parse_exec_status(
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"("message":"pods \"pg-3\" not found","reason":"NotFound",)"
      R"("details":{"name":"pg-3","kind":"pods","causes":[{"reason":"R","message":"M","field":"F"}]},)"
      R"("code":404})");
    REQUIRE(status);
    CHECK(status->status == "Failure");
    CHECK(status->message == "pods \"pg-3\" not found");
    CHECK(status->reason == "NotFound");
    CHECK(status->code == 404);
    REQUIRE(status->causes.size() == 1);
    CHECK(status->causes[0].reason == "R");
    CHECK(status->causes[0].message == "M");
    CHECK(status->causes[0].field == "F");
  }
  SUBCASE("the status channel's success")
  {
    const auto status = kpg::kube::parse_exec_status(R"({"metadata":{},"status":"Success"})");
    REQUIRE(status);
    CHECK(status->status == "Success");
    CHECK(status->code == 0);
    CHECK(status->causes.empty());
  }
  SUBCASE("not JSON")
  {
    const auto status = kpg::kube::parse_exec_status("403 Forbidden");
    REQUIRE_FALSE(status);
    CHECK(status.error() == "not JSON: \"403 Forbidden\"");
  }
  SUBCASE("JSON but not an object")
  {
    const auto status = kpg::kube::parse_exec_status("[1]");
    REQUIRE_FALSE(status);
    CHECK(status.error() == "not a JSON object");
  }
}

namespace {

ExecStatus parsed(const char* json)
{
  auto status = kpg::kube::parse_exec_status(json);
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

TEST_CASE("format_api_error")
{
  SUBCASE("NotFound as kubectl prints it")
  {
    CHECK(
      kpg::kube::format_api_error(parsed(
        R"({"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","code":404})")) ==
      "Error from server (NotFound): pods \"x\" not found");
  }
  SUBCASE("Unauthorized")
  {
    CHECK(kpg::kube::format_api_error(
            parsed(R"({"status":"Failure","message":"Unauthorized","reason":"Unauthorized"})")) ==
          "You must be logged in to the server (Unauthorized)");
  }
  SUBCASE("no reason")
  {
    CHECK(kpg::kube::format_api_error(parsed(R"({"status":"Failure","message":"boom"})")) ==
          "Error from server: boom");
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
