#include "render/images.hpp"
#include "render/k8s_names.hpp"
#include "render/quantity.hpp"
#include "render/suggest.hpp"

#include <doctest/doctest.h>

using namespace kpg::render;

TEST_CASE("k8s_names")
{
  CHECK(is_dns1123_label("a-1"));
  CHECK(is_dns1123_label("1a"));
  CHECK_FALSE(is_dns1123_label("a-"));
  CHECK_FALSE(is_dns1123_label("A"));
  CHECK_FALSE(is_dns1123_label(std::string(64, 'a')));
  CHECK(is_dns1035_label("a1"));
  CHECK_FALSE(is_dns1035_label("1a"));
  CHECK(is_dns1123_subdomain("fast.ssd-1"));
  CHECK_FALSE(is_dns1123_subdomain("fast..ssd"));
  CHECK(is_qualified_name("example.com/Team_1.x"));
  CHECK_FALSE(is_qualified_name("example.com/"));
  CHECK_FALSE(is_qualified_name("Example.com/x"));
  CHECK(is_label_value(""));
  CHECK(is_label_value("v1.2_3-a"));
  CHECK_FALSE(is_label_value("a b"));
}

TEST_CASE("parse_quantity")
{
  CHECK(*parse_quantity("500m") == doctest::Approx(0.5));
  CHECK(*parse_quantity("2") == doctest::Approx(2));
  CHECK(*parse_quantity("1.5Gi") == doctest::Approx(1610612736.0));
  CHECK(*parse_quantity("1e3") == doctest::Approx(1000));
  CHECK(*parse_quantity(".5k") == doctest::Approx(500));
  CHECK_FALSE(parse_quantity("10GB"));
  CHECK_FALSE(parse_quantity("Gi"));
  CHECK_FALSE(parse_quantity("1e"));
  CHECK_FALSE(parse_quantity(""));
}

TEST_CASE("closest_match")
{
  CHECK(closest_match("membrs", {"engine", "members"}) == "members");
  CHECK(closest_match("xyz", {"engine", "members"}).empty());
}

TEST_CASE("resolve_images")
{
  ClusterSpec spec;
  CHECK(resolve_images(spec).spilo == "ghcr.io/zalando/spilo-17:4.0-p3");
  CHECK(resolve_images(spec).pgpool == "docker.io/pgpool/pgpool:4.4.3");
  spec.postgres_version = 15;
  spec.images.registry = "mirror.local:5000/cache";
  CHECK(resolve_images(spec).spilo == "mirror.local:5000/cache/zalando/spilo-15:3.0-p1");
  CHECK(resolve_images(spec).pgpool == "mirror.local:5000/cache/pgpool/pgpool:4.4.3");
  spec.images.pgpool = "registry.example/pgpool:pinned";
  CHECK(resolve_images(spec).pgpool == "registry.example/pgpool:pinned");
}
