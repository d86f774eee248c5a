#include "core/error.hpp"
#include "core/yaml_json.hpp"
#include "render/manifest_renderer.hpp"
#include "render/template_proof.hpp"
#include "render/template_set.hpp"
#include "render/template_values.hpp"

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
  // YAML forbids these raw, or YAML 1.1 readers (kubectl's) take them for line breaks.
  "del\x7f",          "nel\xc2\x85", "c1\xc2\x9f",           "ls\xe2\x80\xa8", "bom\xef\xbb\xbf",
  "\"}\n---\nkind: Secret\n",
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

TemplateSet one_template(const std::string& test, const std::string& text)
{
  return TemplateSet::from_directory(template_dir(test, {{"a.yaml", text}}), "patroni");
}

// The message TemplateSet::from_directory throws for a one-file set.
std::string load_error(const std::string& text)
{
  try {
    one_template("load-error", text);
  } catch (const kpg::UsageError& e) {
    return e.what();
  }
  return "no error";
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
    kpg::render::render_documents(templates, values);
  } catch (const kpg::UsageError& e) {
    return e.what();
  }
  return "no error";
}

// Bytes a YAML reader must not meet raw (kpg::render::yaml_safe_json).
bool has_raw_yaml_special(const std::string& text)
{
  for (const auto* special : {"\x7f", "\xc2\x85", "\xc2\x9f", "\xe2\x80\xa8", "\xef\xbb\xbf"}) {
    if (text.find(special) != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace

TEST_CASE("render_manifests")
{
  SUBCASE("no value can change a manifest's structure")
  {
    const auto templates = one_template("hostile", k_configmap);
    for (const auto& hostile : k_hostile) {
      TemplateValues values;
      values.set_string("name", hostile);
      values.set_json("value", {{hostile, hostile}, {"list", {hostile, 1}}});
      const auto documents = kpg::render::render_documents(templates, values);
      REQUIRE(documents.size() == 1);
      CHECK_FALSE(has_raw_yaml_special(documents[0]));
      const auto objects = kpg::render::render_manifests(templates, values);
      REQUIRE(objects.size() == 1);
      CHECK(objects[0]["metadata"]["name"] == hostile);
      CHECK(objects[0]["data"]["value"] ==
            nlohmann::ordered_json{{hostile, hostile}, {"list", {hostile, 1}}});
      CHECK(objects[0]["data"].size() == 1);
      CHECK(objects[0].size() == 4);
    }
  }

  SUBCASE("maps and lists render as flow collections")
  {
    const auto templates = one_template(
      "json", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {{labels}}\n");
    TemplateValues values;
    values.set_json("labels", {{"a: b", "c\nd"}, {"#", "{{x}}"}});
    const auto objects = kpg::render::render_manifests(templates, values);
    CHECK(objects[0]["metadata"]["labels"] ==
          nlohmann::ordered_json{{"a: b", "c\nd"}, {"#", "{{x}}"}});
  }

  SUBCASE("an unknown placeholder is an error")
  {
    const auto templates = one_template("unknown", k_configmap + "  other: {{nmae}}\n");
    TemplateValues values;
    values.set_string("name", "x");
    values.set_string("value", "y");
    CHECK(render_error(templates, values) ==
          "template patroni/a.yaml: unknown placeholder {{nmae}}: kubectl-pg has no value by "
          "that name (README \"Templates\" lists them)");
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
}

TEST_CASE("render_documents")
{
  SUBCASE("documents are the rendered text: comments kept, collections indented under "
          "their key, lines of tags that rendered nothing dropped")
  {
    const auto templates = one_template("layout", "# kubectl-pg: for-each items\n"
                                                  "# An object.\n"
                                                  "apiVersion: v1\n"
                                                  "kind: ConfigMap\n"
                                                  "metadata:\n"
                                                  "  name: {{name}}\n"
                                                  "{{#on}}\n"
                                                  "  labels: {{labels}}\n"
                                                  "{{/on}}\n"
                                                  "{{^on}}\n"
                                                  "  annotations: {{labels}}\n"
                                                  "{{/on}}\n"
                                                  "\n"
                                                  "spec:\n"
                                                  "  replicas: {{replicas}}\n"
                                                  "  list:\n"
                                                  "    - {{labels}}\n"
                                                  "    - key: {{empty}}\n"
                                                  "  nested: {{nested}}");
    TemplateValues values;
    values.set_json("labels", {{"a", "b"}, {"c", "d"}});
    values.set_json("empty", nlohmann::ordered_json::object());
    values.set_json("nested", {{"list", {1, {{"k", "v"}}}}});
    values.set_int("replicas", 3);
    TemplateValues item;
    item.set_string("name", "one");
    item.set_flag("on", false);
    values.add_item("items", item);
    const auto documents = kpg::render::render_documents(templates, values);
    REQUIRE(documents.size() == 1);
    CHECK(documents[0] == "# An object.\n"
                          "apiVersion: v1\n"
                          "kind: ConfigMap\n"
                          "metadata:\n"
                          "  name: \"one\"\n"
                          "  annotations: {\n"
                          "      \"a\": \"b\",\n"
                          "      \"c\": \"d\"\n"
                          "    }\n"
                          "\n"
                          "spec:\n"
                          "  replicas: 3\n"
                          "  list:\n"
                          "    - {\n"
                          "          \"a\": \"b\",\n"
                          "          \"c\": \"d\"\n"
                          "        }\n"
                          "    - key: {}\n"
                          "  nested: {\n"
                          "      \"list\": [\n"
                          "        1,\n"
                          "        {\n"
                          "          \"k\": \"v\"\n"
                          "        }\n"
                          "      ]\n"
                          "    }\n");
    const auto empty = nlohmann::ordered_json::object();
    CHECK(kpg::render::parse_documents(documents).front()["spec"] ==
          nlohmann::ordered_json{{"replicas", 3},
                                 {"list", {{{"a", "b"}, {"c", "d"}}, {{"key", empty}}}},
                                 {"nested", {{"list", {1, {{"k", "v"}}}}}}});
  }

  SUBCASE("a shape is proven once: other values reuse the proof, a section switched is new")
  {
    const auto templates =
      one_template("shapes", k_configmap + "{{#on}}\n  extra: {{value}}\n{{/on}}\n");
    const auto& proven = templates.templates().front()->proven;
    TemplateValues values;
    values.set_string("value", "v");
    values.set_flag("on", true);
    for (const auto* name : {"a", "b: c", "d\n"}) {
      values.set_string("name", name);
      kpg::render::render_documents(templates, values);
    }
    CHECK(proven.size() == 1);
    values.set_flag("on", false);
    kpg::render::render_documents(templates, values);
    CHECK(proven.size() == 2);
    values.set_int("value", 5); // another kind of value: another shape
    kpg::render::render_documents(templates, values);
    CHECK(proven.size() == 3);
  }

  SUBCASE("shapes the load-time probe cannot see are proven at their first render")
  {
    // Inside an inverted section, which the probe (every section on) skips.
    const auto inverted = one_template("inverted", k_configmap + "{{^on}}\n  bad: x{{value}}\n"
                                                                 "{{/on}}\n");
    TemplateValues values;
    values.set_string("name", "n");
    values.set_string("value", "v");
    values.set_flag("on", true);
    CHECK(render_error(inverted, values) == "no error");
    values.set_flag("on", false);
    CHECK(render_error(inverted, values) ==
          "template patroni/a.yaml: line 8: placeholder {{value}} is not a whole YAML value in "
          "\"  bad: x{{value}}\"; a value is substituted as one quoted string, number or flow "
          "collection, so its placeholder must stand alone where a value goes, as in \"key: "
          "{{value}}\" (not inside other text, quotes, a comment, or after a tag or anchor)");
    // yaml-cpp takes `"..."#x` for a quoted string and a comment, but a
    // number there would run into the "#x".
    const auto glued = one_template("glued", k_configmap + "  count: {{count}}#x\n");
    values.set_flag("on", true);
    values.set_string("count", "5");
    CHECK(render_error(glued, values) == "no error");
    values.set_int("count", 5);
    CHECK(render_error(glued, values).starts_with(
      "template patroni/a.yaml: line 7: placeholder {{count}} is not a whole YAML value in "
      "\"  count: {{count}}#x\""));
  }
}

TEST_CASE("TemplateSet::from_directory")
{
  SUBCASE("a placeholder must be a whole value, not a key: checked at load")
  {
    const auto not_whole = [](int line, const std::string& shown) {
      return "template patroni/a.yaml: line " + std::to_string(line) +
             ": placeholder {{value}} is not a whole YAML value in \"" + shown +
             "\"; a value is substituted as one quoted string, number or flow collection, so "
             "its placeholder must stand alone where a value goes, as in \"key: {{value}}\" "
             "(not inside other text, quotes, a comment, or after a tag or anchor)";
    };
    for (const std::string line : {"  other: prefix-{{value}}", "  # {{value}}",
                                    "  other: !!str {{value}}", "  other: &a {{value}}",
                                    "  other: '{{value}}'"}) {
      CAPTURE(line);
      CHECK(load_error(k_configmap + line + "\n") == not_whole(7, line));
    }
    CHECK(load_error(k_configmap + "  other: |\n    {{value}}\n") ==
          not_whole(8, "    {{value}}"));
    CHECK(load_error(k_configmap + "  {{value}}: x\n") ==
          "template patroni/a.yaml: line 7: placeholder {{value}} is a mapping key in "
          "\"  {{value}}: x\"; placeholders stand for values only: write the key in the template");
    for (const std::string line : {"  other: \"a {{value}}\"", "  other: {{value}} suffix"}) {
      CAPTURE(line);
      CHECK(load_error(k_configmap + line + "\n")
              .starts_with("template patroni/a.yaml: line 7: not valid YAML: "));
    }
    CHECK(load_error(k_configmap + "  other: {{>value}}\n") ==
          "template patroni/a.yaml: partial {{>value}} is not supported: its text would be "
          "compiled from a value; write the text in the template");
  }

  SUBCASE("a template must render exactly one object")
  {
    CHECK(load_error("a: 1\n---\nb: 2\n") ==
          "template patroni/a.yaml: must render to exactly one mapping (one Kubernetes object), "
          "got 2 documents; a template holds one object, without \"---\" or directives");
    // Printed after a "---", a leading "---" would make an empty document.
    CHECK(load_error("---\n" + k_configmap).starts_with(
      "template patroni/a.yaml: must render to exactly one mapping (one Kubernetes object), "
      "got 2 documents"));
    CHECK(load_error("kind: X\n") ==
          "template patroni/a.yaml: the object lacks apiVersion, kind or metadata.name");
    CHECK(load_error("a: [\n") ==
          "template patroni/a.yaml: rendered line 2: not valid YAML: end of sequence flow not "
          "found");
  }

  SUBCASE("mustache syntax errors name the file")
  {
    CHECK_THROWS_WITH_AS(
      one_template("syntax", "{{#open}}\n"),
      "template patroni/a.yaml: Unclosed section \"open\" at 0; fix the template",
      kpg::UsageError);
  }

  SUBCASE("--templates errors")
  {
    CHECK_THROWS_AS(TemplateSet::from_directory("/nonexistent", "patroni"), kpg::UsageError);
    CHECK_THROWS_WITH(TemplateSet::from_directory(template_dir("empty", {}), "patroni"),
                      doctest::Contains("holds no .yaml templates"));
  }

  SUBCASE("the embedded templates pass the load-time probe (skipped at run time)")
  {
    const auto embedded = TemplateSet::embedded("patroni");
    CHECK(embedded.templates().size() == 18);
    for (const auto& tmpl : embedded.templates()) {
      CAPTURE(tmpl->path);
      CHECK_NOTHROW(kpg::render::probe_template(*tmpl));
    }
  }
}

TEST_CASE("yaml_safe_json")
{
  using kpg::render::yaml_safe_json;
  CHECK(yaml_safe_json("\"plain ü ✓\"") == "\"plain ü ✓\"");
  CHECK(yaml_safe_json("\"a\x7f"
                       "b\xc2\x80"
                       "c\xc2\x85"
                       "d\xc2\xa0"
                       "e\xe2\x80\xa8"
                       "f\xe2\x80\xa9"
                       "g\xef\xbb\xbf"
                       "h\xef\xbf\xbe\"") ==
        "\"a\\u007fb\\u0080c\\u0085d\xc2\xa0"
        "e\\u2028f\\u2029g\\ufeffh\\ufffe\"");
}

TEST_CASE("json_to_yaml")
{
  SUBCASE("every string survives a round trip through YAML")
  {
    for (const auto& hostile : k_hostile) {
      const nlohmann::ordered_json document = {{"key", hostile}, {hostile, 1}};
      const auto text = kpg::json_to_yaml(document);
      CHECK(kpg::yaml_to_json(YAML::Load(text)) == document);
    }
  }

  SUBCASE("types and layout")
  {
    const nlohmann::ordered_json document = {
      {"b", true}, {"m", 3}, {"n", "no"}, {"s", "3"}, {"e", nlohmann::ordered_json::object()},
      {"l", {"x", "on"}}, {"z", nullptr}};
    CHECK(kpg::json_to_yaml(document) == "b: true\n"
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
