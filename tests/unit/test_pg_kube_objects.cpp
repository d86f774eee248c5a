#include "pg/kube_objects.hpp"

#include <doctest/doctest.h>

using nlohmann::json;

TEST_CASE("read_endpoint_slice")
{
  const json slice = json::parse(R"({
    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
    "metadata": {"name": "orders-replica-abcde", "labels": {"kubernetes.io/service-name": "orders-replica"}},
    "ports": [{"name": "postgresql", "port": 5432}, {"name": "patroni", "port": 8008}],
    "endpoints": [
      {"addresses": ["10.244.0.12"], "conditions": {"ready": true}},
      {"addresses": ["10.244.0.13"], "conditions": {"ready": false, "serving": false}},
      {"addresses": ["10.244.0.14"]}
    ]})");
  const auto facts = kpg::pg::read_endpoint_slice(slice);
  CHECK(facts.service == "orders-replica");
  // conditions.ready absent: "nil should be interpreted as true" (discovery/v1)
  CHECK(facts.ready == std::vector<std::string>{ "10.244.0.12:5432", "10.244.0.12:8008",
                                                 "10.244.0.14:5432", "10.244.0.14:8008" });
  CHECK(facts.not_ready == std::vector<std::string>{ "10.244.0.13:5432", "10.244.0.13:8008" });
  CHECK(kpg::pg::read_endpoint_slice(json::object()).ready.empty());
}
