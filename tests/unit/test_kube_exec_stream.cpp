#include "kube/exec_stream.hpp"

#include <doctest/doctest.h>

#include <sstream>

TEST_CASE("ExecCancellation::cancel")
{
  kpg::kube::ExecCancellation cancellation;
  int calls = 0;
  SUBCASE("runs the handler that is set")
  {
    cancellation.set_handler([&] { ++calls; });
    CHECK_FALSE(cancellation.cancelled());
    cancellation.cancel();
    CHECK(cancellation.cancelled());
    CHECK(calls == 1);
  }
  SUBCASE("a handler set after cancel() runs at once")
  {
    cancellation.cancel();
    cancellation.set_handler([&] { ++calls; });
    CHECK(calls == 1);
  }
  SUBCASE("a cleared handler is not run")
  {
    cancellation.set_handler([&] { ++calls; });
    cancellation.clear_handler();
    cancellation.cancel();
    CHECK(calls == 0);
  }
}

TEST_CASE("exec")
{
  kpg::kube::RestConfig config;
  config.server = "https://127.0.0.1:1";
  kpg::kube::ExecRequest request;
  request.namespace_name = "db";
  request.pod = "pg-0";
  std::ostringstream out;
  kpg::kube::OstreamOutput output(out);
  kpg::kube::ExecStreams streams;
  streams.output = &output;

  SUBCASE("needs a command")
  {
    CHECK_THROWS_WITH_AS(kpg::kube::exec(config, request, streams),
                         "exec needs a command to run in the container", kpg::UsageError);
  }
  SUBCASE("needs a stream")
  {
    request.command = { "true" };
    kpg::kube::ExecStreams none;
    CHECK_THROWS_WITH_AS(kpg::kube::exec(config, request, none),
                         "exec needs at least one of stdin, stdout and stderr", kpg::UsageError);
  }
  SUBCASE("needs a valid server URL")
  {
    request.command = { "true" };
    config.server = "ftp://x";
    CHECK_THROWS_WITH_AS(kpg::kube::exec(config, request, streams),
                         "server URL \"ftp://x\": scheme must be https or http", kpg::UsageError);
  }
  SUBCASE("a CA that is not PEM names its origin")
  {
    request.command = { "true" };
    config.ca_pem = "not a certificate";
    config.ca_origin = "kubeconfig cluster c1";
    CHECK_THROWS_WITH_AS(kpg::kube::exec(config, request, streams),
                         doctest::Contains("loading the CA from kubeconfig cluster c1 to verify "
                                           "https://127.0.0.1:1: "),
                         kpg::Error);
  }
}
