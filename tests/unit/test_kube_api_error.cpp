#include "kube/api_error.hpp"

#include <doctest/doctest.h>

using kpg::kube::ApiError;
using kpg::kube::HttpResponse;
using kpg::kube::status_from_response;

namespace {

HttpResponse response(long status, std::string body, kpg::kube::HttpHeaders headers = {})
{
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string text_of(long status, const std::string& body, const char* verb = "GET",
                    const char* what = "statefulsets.apps pg")
{
  return ApiError(status_from_response(response(status, body), verb, what)).text();
}

kpg::kube::ApiStatus make_status(int code, std::string reason, std::string message)
{
  kpg::kube::ApiStatus status;
  status.code = code;
  status.reason = std::move(reason);
  status.message = std::move(message);
  return status;
}

kpg::kube::ApiStatus parsed(const char* json)
{
  auto status = kpg::kube::parse_api_status(json);
  REQUIRE(status);
  return *status;
}

} // namespace

TEST_CASE("parse_api_status")
{
  SUBCASE("an API error Status (the body of a refused exec upgrade)")
  {
    const auto status = kpg::kube::parse_api_status(
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
  SUBCASE("exec's status channel: a Status without kind")
  {
    const auto status = kpg::kube::parse_api_status(R"({"metadata":{},"status":"Success"})");
    REQUIRE(status);
    CHECK(status->status == "Success");
    CHECK(status->code == 0);
    CHECK(status->causes.empty());
  }
  SUBCASE("not JSON")
  {
    const auto status = kpg::kube::parse_api_status("403 Forbidden");
    REQUIRE_FALSE(status);
    CHECK(status.error() == "not JSON: \"403 Forbidden\"");
  }
  SUBCASE("JSON but not an object")
  {
    const auto status = kpg::kube::parse_api_status("[1]");
    REQUIRE_FALSE(status);
    CHECK(status.error() == "not a JSON object");
  }
}

TEST_CASE("ApiError::text")
{
  SUBCASE("a Status body prints as kubectl prints it")
  {
    CHECK(text_of(404, R"({"kind":"Status","apiVersion":"v1","status":"Failure",
      "message":"pods \"pg-3\" not found","reason":"NotFound",
      "details":{"name":"pg-3","kind":"pods"},"code":404})") ==
          "Error from server (NotFound): pods \"pg-3\" not found");
    CHECK(text_of(500, R"({"kind":"Status","message":"etcd is sad","code":500})") ==
          "Error from server: etcd is sad");
    CHECK(
      text_of(401,
              R"({"kind":"Status","message":"Unauthorized","reason":"Unauthorized","code":401})") ==
      "You must be logged in to the server (Unauthorized)");
  }
  SUBCASE("Invalid: one cause on the same line, several one per line")
  {
    CHECK(text_of(422, R"({"kind":"Status","reason":"Invalid","code":422,
      "message":"StatefulSet.apps \"pg\" is invalid: spec.replicas: Invalid value: -1",
      "details":{"name":"pg","kind":"StatefulSet","causes":[
        {"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"}]}})") ==
          "The StatefulSet \"pg\" is invalid: spec.replicas: Invalid value: -1: must be greater "
          "than or equal to 0");
    CHECK(text_of(422, R"({"kind":"Status","reason":"Invalid","code":422,"message":"x",
      "details":{"name":"pg","kind":"StatefulSet","causes":[
        {"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"},
        {"reason":"FieldValueInvalid","message":"Invalid value: \"\": must be a DNS label","field":"spec.serviceName"},
        {"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"}]}})") ==
          "The StatefulSet \"pg\" is invalid: \n* spec.selector: Required value\n"
          "* spec.serviceName: Invalid value: \"\": must be a DNS label");
  }
  SUBCASE("a server-side apply conflict names each field, its manager, and the way out")
  {
    CHECK(text_of(
            409,
            R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict","code":409,
      "message":"Apply failed with 2 conflicts: conflicts with \"kube-controller-manager\" using apps/v1:\n- .spec.replicas\n- .spec.template",
      "details":{"causes":[
        {"reason":"FieldManagerConflict","message":"conflict with \"kube-controller-manager\" using apps/v1","field":".spec.replicas"},
        {"reason":"FieldManagerConflict","message":"conflict with \"helm\"","field":".spec.template"}]}})",
            "PATCH") ==
          "Apply failed: 2 field(s) of this object are managed by another field manager:\n"
          "  .spec.replicas  (conflict with \"kube-controller-manager\" using apps/v1)\n"
          "  .spec.template  (conflict with \"helm\")\n"
          "To take these fields over, re-run with --force-conflicts (kubectl-pg becomes their "
          "manager).\nTo leave them to their current manager, remove them from the manifest, "
          "or set them to the live value to share ownership.");
  }
  SUBCASE("a body that is not a Status gets client-go's generic message")
  {
    CHECK(text_of(429, "Too many requests, please try again later.\n", "POST") ==
          "Error from server (TooManyRequests): the server has received too many requests and "
          "has asked us to try again later (post statefulsets.apps pg)");
    CHECK(text_of(502, "<html>bad gateway</html>") ==
          "Error from server (InternalError): an error on the server (\"<html>bad "
          "gateway</html>\") has prevented the request from succeeding (get statefulsets.apps "
          "pg)");
    CHECK(text_of(409, "", "POST", "") ==
          "Error from server (AlreadyExists): the server reported a conflict");
    CHECK(text_of(404, "404 page not found", "GET", "") ==
          "Error from server (NotFound): the server could not find the requested resource");
  }
}

TEST_CASE("KubeError")
{
  using kpg::ExitCode;
  using kpg::kube::Access;
  using kpg::kube::KubeError;
  using kpg::kube::TransportError;
  using kpg::kube::TransportErrorKind;

  SUBCASE("is_expired: 410, and 504 ResourceVersionTooLarge")
  {
    CHECK(KubeError(ApiError(make_status(410, "Expired", "too old resource version: 5 (812)")))
            .is_expired());
    kpg::kube::ApiStatus too_large = make_status(504, "Timeout", "Too large resource version");
    too_large.causes.push_back({ "ResourceVersionTooLarge", "Too large resource version", "" });
    CHECK(KubeError(ApiError(too_large)).is_expired());
    CHECK_FALSE(KubeError(ApiError(make_status(504, "Timeout", "slow"))).is_expired());
  }
  SUBCASE("to_command_error: exit code 4 when the cluster cannot be read, else 1")
  {
    const KubeError refused(TransportError{ TransportErrorKind::connection_refused, 7,
                                            "The connection to the server 10.0.0.1:6443 was "
                                            "refused - did you specify the right host or port?" });
    auto error = to_command_error(refused, "reading statefulset db/pg", Access::read);
    CHECK(error.code() == ExitCode::unreachable);
    CHECK(std::string(error.what()) ==
          "reading statefulset db/pg: The connection to the server 10.0.0.1:6443 was refused "
          "- did you specify the right host or port?");
    const KubeError forbidden(
      ApiError(make_status(403, "Forbidden", "statefulsets.apps is forbidden")));
    CHECK(to_command_error(forbidden, "x", Access::read).code() == ExitCode::unreachable);
    CHECK(to_command_error(forbidden, "x", Access::write).code() == ExitCode::failure);
    const KubeError not_found(
      ApiError(make_status(404, "NotFound", "statefulsets.apps \"pg\" not found")));
    CHECK(to_command_error(not_found, "x", Access::read).code() == ExitCode::failure);
    const KubeError tls(TransportError{ TransportErrorKind::tls_verify, 60, "bad CA" });
    CHECK(tls.text() == "Unable to connect to the server: bad CA");
  }
  SUBCASE("to_command_error: kubectl's \"Error from server\" line, with the attempt after its "
          "head, printed without \"error: \"")
  {
    const auto not_found = to_command_error(
      KubeError(ApiError(make_status(404, "NotFound", "statefulsets.apps \"pg\" not found"))),
      "reading statefulset db/pg", Access::read);
    CHECK(std::string(not_found.what()) == "Error from server (NotFound): while reading "
                                           "statefulset db/pg: statefulsets.apps \"pg\" not found");
    CHECK(not_found.format() == kpg::MessageFormat::kubectl);
    CHECK(kpg::error_line(not_found) == std::string(not_found.what()) + "\n");
    const auto no_reason =
      to_command_error(KubeError(ApiError(make_status(500, "", "etcd is sad"))),
                       "deleting pod db/pg-0", Access::write);
    CHECK(std::string(no_reason.what()) ==
          "Error from server: while deleting pod db/pg-0: etcd is sad");
    CHECK(no_reason.format() == kpg::MessageFormat::kubectl);
  }
  SUBCASE("to_command_error: what kubectl words otherwise gets \"error: <attempting>: \"")
  {
    const auto unauthorized =
      to_command_error(KubeError(ApiError(make_status(401, "Unauthorized", "Unauthorized"))),
                       "listing pods", Access::read);
    CHECK(unauthorized.format() == kpg::MessageFormat::plain);
    CHECK(kpg::error_line(unauthorized) ==
          "error: listing pods: You must be logged in to the server (Unauthorized)\n");
    auto invalid = make_status(422, "Invalid", "x");
    invalid.kind = "StatefulSet";
    invalid.name = "pg";
    const auto invalid_error =
      to_command_error(KubeError(ApiError(invalid)), "applying statefulset db/pg", Access::write);
    CHECK(kpg::error_line(invalid_error) ==
          "error: applying statefulset db/pg: The StatefulSet \"pg\" is invalid\n");
    const KubeError refused(TransportError{ TransportErrorKind::connection_refused, 7, "refused" });
    CHECK(to_command_error(refused, "x", Access::read).format() == kpg::MessageFormat::plain);
  }
}

TEST_CASE("ApiError::text of a parsed Status")
{
  SUBCASE("NotFound as kubectl prints it")
  {
    CHECK(
      ApiError(
        parsed(
          R"({"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","code":404})"))
        .text() == "Error from server (NotFound): pods \"x\" not found");
  }
  SUBCASE("Unauthorized")
  {
    CHECK(
      ApiError(parsed(R"({"status":"Failure","message":"Unauthorized","reason":"Unauthorized"})"))
        .text() == "You must be logged in to the server (Unauthorized)");
  }
  SUBCASE("no reason")
  {
    CHECK(ApiError(parsed(R"({"status":"Failure","message":"boom"})")).text() ==
          "Error from server: boom");
  }
}
