#include "core/json_fields.hpp"

#include <doctest/doctest.h>

using kpg::FieldMask;
using kpg::parse_fields;
using nlohmann::json;

TEST_CASE("parse_fields")
{
  const std::string page = R"({"kind":"StatefulSetList","metadata":{"continue":"abc"},
    "items":[
      {"metadata":{"name":"a","labels":{"x":"1","y":"2"},
                   "managedFields":[{"manager":"m","fieldsV1":{"f:spec":{}}}]},
       "spec":{"replicas":3,"template":{"spec":{"containers":[
         {"name":"pg","image":"spilo:1","env":[{"name":"E","value":"v"}]},
         {"name":"side","image":"exporter:2"}]}}},
       "status":{"readyReplicas":2,"conditions":[{"type":"Ready"}]}},
      {"metadata":{"name":"b"},"spec":{"replicas":1.5,"paused":true,"x":null}}
    ]})";

  SUBCASE("keeps the named paths, whole, through arrays, and nothing else")
  {
    FieldMask items{ "metadata.name", "metadata.labels", "spec.replicas",
                     "spec.template.spec.containers.image", "status.readyReplicas" };
    FieldMask mask{ "metadata" };
    mask.keep("items", items);
    CHECK(parse_fields(page, mask) == json::parse(R"({"metadata":{"continue":"abc"},"items":[
            {"metadata":{"name":"a","labels":{"x":"1","y":"2"}},
             "spec":{"replicas":3,"template":{"spec":{"containers":[
               {"image":"spilo:1"},{"image":"exporter:2"}]}}},
             "status":{"readyReplicas":2}},
            {"metadata":{"name":"b"},"spec":{"replicas":1.5}}]})"));
  }

  SUBCASE("an empty mask keeps everything, as json::parse")
  {
    CHECK(parse_fields(page, FieldMask()) == json::parse(page));
  }

  SUBCASE("scalars, null, booleans and a scalar document")
  {
    CHECK(parse_fields(R"({"a":null,"b":true,"c":-1,"d":"s"})", FieldMask{ "a", "b", "c" }) ==
          json::parse(R"({"a":null,"b":true,"c":-1})"));
    CHECK(parse_fields("42", FieldMask{ "a" }) == json(42));
  }

  SUBCASE("a mask that names nothing present leaves an empty object")
  {
    CHECK(parse_fields(page, FieldMask{ "nothing.here" }) == json::object());
  }

  SUBCASE("invalid JSON is a discarded value, also inside a skipped field")
  {
    CHECK(parse_fields(R"({"a":1,)", FieldMask{ "a" }).is_discarded());
    CHECK(parse_fields(R"({"a":1,"b":[1,}})", FieldMask{ "a" }).is_discarded());
  }
}
