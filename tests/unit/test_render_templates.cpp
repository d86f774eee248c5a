#include "core/error.hpp"
#include "render/manifest_renderer.hpp"
#include "render/template_set.hpp"
#include "render/yaml_json.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

using kpg::render::TemplateSet;
using kpg::render::TemplateValues;

namespace {

const std::vector<std::string> k_hostile = {
  "it's \"quoted\"",  "key: value",  "line one\nline two\n", "{{name}}", "# not a comment",
  "- not a list",     "",            "true",                 "5432",     "on",
  "  leading spaces", "tab\there",   "{a: 1}",               "[1, 2]",   "&anchor *alias",
  "--- !tag",         "a\r\nb",      "ümlaut ✓",             "trailing \n",
};

// A template directory under the build tree: DIR/patroni/<file> per entry.
std::filesystem::path template_dir(const std::string& test,
                                   const std::vector<std::pair<std::string, std::string>>& files)
{
  const auto dir = std::filesystem::path(KPG_BINARY_DIR) / "test-templates" / test;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "patroni");
  for (const auto& [name, text] : files) {
    std::ofstream(dir / "patroni" / name) << text;
  }
  return dir;
}

const std::string k_configmap = "apiVersion: v1\n"
                                "kind: ConfigMap\n"
                                "metadata:\n"
                                "  name: {{name}}\n"
                                "data:\n"
                                "  value: {{value}}\n";

std::string render_error(const TemplateSet& templates, const TemplateValues& values)
{
  try {
    kpg::render::render_manifests(templates, values);
  } catch (const kpg::UsageError& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("render_manifests")
{
  SUBCASE("no value can change a manifest's structure")
  {
    const auto templates =
      TemplateSet::from_directory(template_dir("hostile", {{"a.yaml", k_configmap}}), "patroni");
    for (const auto& hostile : k_hostile) {
      TemplateValues values;
      values.set_string("name", hostile);
      values.set_string("value", hostile);
      const auto objects = kpg::render::render_manifests(templates, values);
      REQUIRE(objects.size() == 1);
      CHECK(objects[0]["metadata"]["name"] == hostile);
      CHECK(objects[0]["data"]["value"] == hostile);
      CHECK(objects[0]["data"].size() == 1);
    }
  }

  SUBCASE("maps and lists render as flow collections")
  {
    const auto templates = TemplateSet::from_directory(
      template_dir("json", {{"a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
                                       "  labels: {{labels}}\n"}}),
      "patroni");
    TemplateValues values;
    values.set_json("labels", {{"a: b", "c\nd"}, {"#", "{{x}}"}});
    const auto objects = kpg::render::render_manifests(templates, values);
    CHECK(objects[0]["metadata"]["labels"] ==
          nlohmann::ordered_json{{"a: b", "c\nd"}, {"#", "{{x}}"}});
  }

  SUBCASE("an unknown placeholder is an error")
  {
    const auto templates = TemplateSet::from_directory(
      template_dir("unknown", {{"a.yaml", k_configmap + "  other: {{nmae}}\n"}}), "patroni");
    TemplateValues values;
    values.set_string("name", "x");
    values.set_string("value", "y");
    CHECK(render_error(templates, values) ==
          "template patroni/a.yaml: unknown placeholder {{nmae}}: kubectl-pg has no value by "
          "that name (README \"Templates\" lists them)");
  }

  SUBCASE("a template must render exactly one object")
  {
    const auto two = TemplateSet::from_directory(
      template_dir("two", {{"a.yaml", "a: 1\n---\nb: 2\n"}}), "patroni");
    CHECK(render_error(two, {}) == "template patroni/a.yaml: must render to exactly one "
                                   "mapping (one Kubernetes object), got 2 documents");
    const auto incomplete =
      TemplateSet::from_directory(template_dir("incomplete", {{"a.yaml", "kind: X\n"}}), "patroni");
    CHECK(render_error(incomplete, {}) ==
          "template patroni/a.yaml: the object lacks apiVersion, kind or metadata.name");
    const auto broken = TemplateSet::from_directory(
      template_dir("broken", {{"a.yaml", "a: [\n"}}), "patroni");
    CHECK(render_error(broken, {}) == "template patroni/a.yaml: line 2: the rendered text is not "
                                      "valid YAML: end of sequence flow not found");
  }

  SUBCASE("mustache syntax errors name the file")
  {
    CHECK_THROWS_WITH_AS(
      TemplateSet::from_directory(template_dir("syntax", {{"a.yaml", "{{#open}}\n"}}), "patroni"),
      "template patroni/a.yaml: Unclosed section \"open\" at 0; fix the template",
      kpg::UsageError);
  }

  SUBCASE("switched-off templates are skipped; for-each renders per item, in file order")
  {
    const auto templates = TemplateSet::from_directory(
      template_dir("sections",
                   {{"1.yaml", "# optional\n{{#on}}\n" + k_configmap + "{{/on}}\n"},
                    {"2.yaml", "# kubectl-pg: for-each items\n" + k_configmap}}),
      "patroni");
    TemplateValues values;
    values.set_flag("on", false);
    values.set_string("value", "shared");
    for (const auto* name : {"first", "second"}) {
      TemplateValues item;
      item.set_string("name", name);
      values.add_item("items", item);
    }
    const auto objects = kpg::render::render_manifests(templates, values);
    REQUIRE(objects.size() == 2);
    CHECK(objects[0]["metadata"]["name"] == "first");
    CHECK(objects[1]["metadata"]["name"] == "second");
    CHECK(objects[1]["data"]["value"] == "shared");
  }

  SUBCASE("--templates errors")
  {
    CHECK_THROWS_AS(TemplateSet::from_directory("/nonexistent", "patroni"), kpg::UsageError);
    CHECK_THROWS_WITH(TemplateSet::from_directory(template_dir("empty", {}), "patroni"),
                      doctest::Contains("holds no .yaml templates"));
  }
}

TEST_CASE("json_to_yaml")
{
  SUBCASE("every string survives a round trip through YAML")
  {
    for (const auto& hostile : k_hostile) {
      const nlohmann::ordered_json document = {{"key", hostile}, {hostile, 1}};
      const auto text = kpg::render::json_to_yaml(document);
      CHECK(kpg::render::yaml_to_json(YAML::Load(text)) == document);
    }
  }

  SUBCASE("types and layout")
  {
    const nlohmann::ordered_json document = {
      {"b", true}, {"m", 3}, {"n", "no"}, {"s", "3"}, {"e", nlohmann::ordered_json::object()},
      {"l", {"x", "on"}}, {"z", nullptr}};
    CHECK(kpg::render::json_to_yaml(document) == "b: true\n"
                                                 "m: 3\n"
                                                 "\"n\": \"no\"\n"
                                                 "s: \"3\"\n"
                                                 "e: {}\n"
                                                 "l:\n"
                                                 "  - x\n"
                                                 "  - \"on\"\n"
                                                 "z: ~\n");
  }
}
