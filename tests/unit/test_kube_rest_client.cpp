#include "kube/credentials.hpp"
#include "kube/rate_limiter.hpp"
#include "kube/rest_client.hpp"
#include "kube_fakes.hpp"

#include <doctest/doctest.h>

#include <sstream>

using kpg::kube::HttpRequest;
using kpg::kube::RestClient;
using kpg::kube::RestConfig;
using kpg::test::FakeClock;
using kpg::test::FakeTransport;
using kpg::test::reply;
using std::chrono::seconds;

namespace {

HttpRequest get(const std::string& path)
{
  HttpRequest request;
  request.path = path;
  return request;
}

// A credential source whose token changes on invalidate(), like a token file
// rewritten by a rotation or a re-run exec plugin.
class RotatingToken : public kpg::kube::CredentialSource
{
public:
  Credential current() override
  {
    return { kpg::SecretString("token-" + std::to_string(generation)), {}, {} };
  }
  void invalidate() override
  {
    ++generation;
  }
  int generation = 1;
};

// A server to talk to, without the rate limit (tests of it use RateLimiter directly).
RestConfig unlimited_config()
{
  RestConfig config;
  config.server = "https://10.0.0.1:6443";
  config.qps = -1;
  return config;
}

} // namespace

TEST_CASE("RestClient::request")
{
  FakeClock clock;
  FakeTransport transport;
  RestConfig config = unlimited_config();
  std::ostringstream err;
  kpg::kube::WarningPrinter warnings(err);
  RestClient client(config, transport, clock, {}, std::ref(warnings));

  SUBCASE("429 with Retry-After is retried after that many seconds")
  {
    transport.replies.push_back(reply(429, "Too many requests", { { "Retry-After", "3" } }));
    transport.replies.push_back(reply(200, "{}"));
    auto response = client.request(get("/api/v1/pods"));
    REQUIRE(response);
    CHECK(transport.sent.size() == 2);
    CHECK(clock.sleeps == std::vector<FakeClock::Duration>{ seconds(3) });
  }
  SUBCASE("5xx without Retry-After is not retried")
  {
    transport.replies.push_back(reply(503, ""));
    auto response = client.request(get("/api/v1/pods"));
    REQUIRE_FALSE(response);
    CHECK(response.error().code() == 503);
    CHECK(transport.sent.size() == 1);
  }
  SUBCASE("retries stop after 10")
  {
    for (int i = 0; i < 12; ++i) {
      transport.replies.push_back(reply(500, "", { { "Retry-After", "1" } }));
    }
    auto response = client.request(get("/api/v1/pods"));
    REQUIRE_FALSE(response);
    CHECK(transport.sent.size() == 11);
    CHECK(clock.sleeps.size() == 10);
  }
  SUBCASE("a non-numeric Retry-After is not retried")
  {
    transport.replies.push_back(
      reply(503, "", { { "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT" } }));
    CHECK_FALSE(client.request(get("/x")));
    CHECK(transport.sent.size() == 1);
  }
  SUBCASE("a dropped connection is retried for GET only")
  {
    transport.replies.push_back(
      kpg::test::transport_failure(kpg::kube::TransportErrorKind::connection_dropped));
    transport.replies.push_back(reply(200, "{}"));
    CHECK(client.request(get("/x")));
    CHECK(clock.sleeps == std::vector<FakeClock::Duration>{ seconds(1) });

    transport.replies.push_back(
      kpg::test::transport_failure(kpg::kube::TransportErrorKind::connection_dropped));
    HttpRequest post = get("/x");
    post.method = "POST";
    auto response = client.request(post);
    REQUIRE_FALSE(response);
    REQUIRE(response.error().transport());
    CHECK(response.error().transport()->curl_code == 56);
  }
  SUBCASE("Warning headers are printed once each, unquoted")
  {
    transport.replies.push_back(
      reply(200, "{}", { { "Warning", R"(299 - "spec.foo: unknown field \"foo\"")" } }));
    transport.replies.push_back(
      reply(200, "{}",
            { { "Warning", R"(299 - "spec.foo: unknown field \"foo\"")" },
              { "Warning", R"(299 - "policy/v1beta1 is deprecated")" } }));
    CHECK(client.request(get("/x")));
    CHECK(client.request(get("/x")));
    CHECK(err.str() ==
          "Warning: spec.foo: unknown field \"foo\"\nWarning: policy/v1beta1 is deprecated\n");
  }
  SUBCASE("the request timeout applies to buffered requests")
  {
    config.request_timeout = std::chrono::milliseconds(1500);
    transport.replies.push_back(reply(200, "{}"));
    CHECK(client.request(get("/x")));
    CHECK(transport.sent.at(0).timeout == std::chrono::milliseconds(1500));
  }
}

TEST_CASE("RestClient credentials")
{
  FakeClock clock;
  FakeTransport transport;
  RestConfig config = unlimited_config();
  auto rotating = std::make_shared<RotatingToken>();
  config.credentials = rotating;
  RestClient client(config, transport, clock);

  SUBCASE("a 401 refreshes the credential and retries once with the new one")
  {
    transport.replies.push_back(reply(
      401, R"({"kind":"Status","reason":"Unauthorized","message":"Unauthorized","code":401})"));
    transport.replies.push_back(reply(200, "{}"));
    CHECK(client.request(get("/x")));
    REQUIRE(transport.sent.size() == 2);
    CHECK(transport.sent[0].credential.bearer_token.reveal() == "token-1");
    CHECK(transport.sent[1].credential.bearer_token.reveal() == "token-2");
  }
  SUBCASE("a second 401 is the answer")
  {
    transport.replies.push_back(reply(
      401, R"({"kind":"Status","reason":"Unauthorized","message":"Unauthorized","code":401})"));
    transport.replies.push_back(reply(
      401, R"({"kind":"Status","reason":"Unauthorized","message":"Unauthorized","code":401})"));
    auto response = client.request(get("/x"));
    REQUIRE_FALSE(response);
    CHECK(response.error().text() == "You must be logged in to the server (Unauthorized)");
    CHECK(transport.sent.size() == 2);
  }
  SUBCASE("a static credential that cannot change is not retried")
  {
    config.credentials = std::make_shared<kpg::kube::StaticCredentialSource>(
      kpg::kube::CredentialSource::Credential{ kpg::SecretString("s"), {}, {} });
    transport.replies.push_back(reply(401, ""));
    CHECK_FALSE(client.request(get("/x")));
    CHECK(transport.sent.size() == 1);
  }
}

TEST_CASE("RestClient impersonation")
{
  FakeClock clock;
  FakeTransport transport;
  RestConfig config = unlimited_config();
  config.impersonation.user_name = "jane";
  config.impersonation.uid = "uid-1";
  config.impersonation.groups = { "devs", "ops" };
  RestClient client(config, transport, clock);
  const kpg::kube::HttpHeaders expected{ { "Impersonate-User", "jane" },
                                         { "Impersonate-Uid", "uid-1" },
                                         { "Impersonate-Group", "devs" },
                                         { "Impersonate-Group", "ops" } };

  SUBCASE("every attempt of a buffered request carries the headers once")
  {
    transport.replies.push_back(reply(429, "", { { "Retry-After", "0" } }));
    transport.replies.push_back(reply(200, "{}"));
    CHECK(client.request(get("/api/v1/pods")));
    REQUIRE(transport.sent.size() == 2);
    CHECK(transport.sent[0].headers == expected);
    CHECK(transport.sent[1].headers == expected);
  }
  SUBCASE("streams (watch) carry them too")
  {
    transport.replies.push_back(reply(200, ""));
    CHECK(client.stream(get("/api/v1/pods?watch=1"), [](std::string_view) { return true; }));
    REQUIRE(transport.sent.size() == 1);
    CHECK(transport.sent[0].headers == expected);
  }
  SUBCASE("no user, no headers")
  {
    config.impersonation.user_name.clear();
    transport.replies.push_back(reply(200, "{}"));
    CHECK(client.request(get("/api/v1/pods")));
    CHECK(transport.sent.at(0).headers.empty());
  }
}

TEST_CASE("RateLimiter::acquire")
{
  FakeClock clock;
  SUBCASE("burst goes at once, then qps")
  {
    kpg::kube::RateLimiter limiter(5.0, 10, clock);
    for (int i = 0; i < 10; ++i) {
      limiter.acquire();
    }
    CHECK(clock.sleeps.empty());
    limiter.acquire();
    limiter.acquire();
    REQUIRE(clock.sleeps.size() == 2);
    CHECK(clock.sleeps[0] == std::chrono::milliseconds(200));
    CHECK(clock.sleeps[1] == std::chrono::milliseconds(200));
  }
  SUBCASE("tokens refill while idle, up to the burst")
  {
    kpg::kube::RateLimiter limiter(5.0, 2, clock);
    limiter.acquire();
    limiter.acquire();
    clock.advance(seconds(60));
    limiter.acquire();
    limiter.acquire();
    CHECK(clock.sleeps.empty());
    limiter.acquire();
    CHECK(clock.sleeps.size() == 1);
  }
  SUBCASE("qps <= 0 disables the limit")
  {
    kpg::kube::RateLimiter limiter(-1, 1, clock);
    for (int i = 0; i < 100; ++i) {
      limiter.acquire();
    }
    CHECK(clock.sleeps.empty());
  }
}

TEST_CASE("redaction")
{
  using kpg::kube::redact_body;
  using kpg::kube::redact_header;
  CHECK(redact_header("Authorization", "Bearer abc.def") == "Bearer <masked>");
  CHECK(redact_header("Content-Type", "application/json") == "application/json");
  CHECK(redact_body(R"({"kind":"Secret","data":{"password":"c2VjcmV0"},"stringData":{"x":"y"}})") ==
        R"({"data":{"password":"<redacted>"},"kind":"Secret","stringData":{"x":"<redacted>"}})");
  CHECK(redact_body(R"({"kind":"List","items":[{"kind":"Secret","data":{"a":"b"}}]})") ==
        R"({"items":[{"data":{"a":"<redacted>"},"kind":"Secret"}],"kind":"List"})");
  CHECK(redact_body(std::string(20, 'x'), 8) == "xxxxxxxx [truncated 12 bytes]");
}

TEST_CASE("Logger")
{
  std::ostringstream log;
  FakeClock clock;
  FakeTransport transport;
  RestConfig config;
  config.server = "https://10.0.0.1:6443";
  config.credentials = std::make_shared<kpg::kube::StaticCredentialSource>(
    kpg::kube::CredentialSource::Credential{ kpg::SecretString("very-secret-token"), {}, {} });
  RestClient client(config, transport, clock, kpg::kube::Logger(log, 9));
  transport.replies.push_back(
    reply(200, R"({"kind":"Secret","data":{"password":"aHVudGVyMg=="}})"));
  CHECK(client.request(get("/api/v1/namespaces/db/secrets/pg")));
  CHECK(log.str().find("very-secret-token") == std::string::npos);
  CHECK(log.str().find("aHVudGVyMg==") == std::string::npos);
  CHECK(log.str().find("I GET https://10.0.0.1:6443/api/v1/namespaces/db/secrets/pg 200 in 0 "
                       "milliseconds\n") != std::string::npos);
  CHECK(log.str().find("Authorization: Bearer <masked>") != std::string::npos);
}
