#include "mcp/schema.hpp"

#include <gtest/gtest.h>

#include "mcp/tools.hpp"

namespace ipfsa::mcp {
namespace {
namespace json = boost::json;

const json::object kSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 2, "maxLength": 4},
    "count": {"type": "integer", "minimum": 1, "maximum": 10},
    "flag": {"type": "boolean"},
    "kind": {"type": "string", "enum": ["a", "b"]},
    "tags": {"type": "array", "items": {"type": "string"}},
    "any": {"type": ["string", "null"]}
  },
  "required": ["name"],
  "additionalProperties": false
})")
                                 .as_object();

std::string check(std::string_view instance) { return validate(json::parse(instance), kSchema); }

TEST(Schema, AcceptsValidInstances) {
  EXPECT_EQ(check(R"({"name":"ab"})"), "");
  EXPECT_EQ(check(R"({"name":"abcd","count":10,"flag":true,"kind":"b","tags":["x"],"any":null})"),
            "");
  EXPECT_EQ(check(R"({"name":"ab","count":1.0})"), "");  // 2020-12: 1.0 is an integer
  EXPECT_EQ(check(R"({"name":"éé"})"), "");              // two characters, four bytes
}

TEST(Schema, NamesTheOffendingArgument) {
  EXPECT_EQ(check(R"([])"), "arguments: must be of type object");
  EXPECT_EQ(check(R"({})"), "arguments.name: is required");
  EXPECT_EQ(check(R"({"name":"a"})"), "arguments.name: must have at least 2 characters");
  EXPECT_EQ(check(R"({"name":"abcde"})"), "arguments.name: must have at most 4 characters");
  EXPECT_EQ(check(R"({"name":5})"), "arguments.name: must be of type string");
  EXPECT_EQ(check(R"({"name":"ab","count":0})"), "arguments.count: must be at least 1");
  EXPECT_EQ(check(R"({"name":"ab","count":11})"), "arguments.count: must be at most 10");
  EXPECT_EQ(check(R"({"name":"ab","count":1.5})"), "arguments.count: must be of type integer");
  EXPECT_EQ(check(R"({"name":"ab","count":"1"})"), "arguments.count: must be of type integer");
  EXPECT_EQ(check(R"({"name":"ab","flag":"true"})"), "arguments.flag: must be of type boolean");
  EXPECT_EQ(check(R"({"name":"ab","kind":"c"})"), R"(arguments.kind: must be one of ["a","b"])");
  EXPECT_EQ(check(R"({"name":"ab","tags":["x",1]})"), "arguments.tags[1]: must be of type string");
  EXPECT_EQ(check(R"({"name":"ab","any":1})"), "arguments.any: must be of type string or null");
  EXPECT_EQ(check(R"({"name":"ab","extra":1})"), "arguments.extra: is not a known argument");
}

TEST(Schema, KeywordCheckRejectsWhatValidateIgnores) {
  EXPECT_TRUE(schema_keywords_supported(kSchema));
  EXPECT_FALSE(
      schema_keywords_supported(json::parse(R"({"type":"string","pattern":"^a"})").as_object()));
  EXPECT_FALSE(schema_keywords_supported(json::parse(R"({"oneOf":[]})").as_object()));
  EXPECT_FALSE(
      schema_keywords_supported(json::parse(R"({"additionalProperties":{}})").as_object()));
  EXPECT_FALSE(schema_keywords_supported(
      json::parse(R"({"properties":{"a":{"type":"string","format":"uri"}}})").as_object()));
}

// Every published schema is enforced in full: it uses only what validate() implements.
TEST(Schema, EveryToolSchemaIsSupportedAndClosed) {
  for (const auto& tool : tools()) {
    const auto& schema = input_schema(tool);
    EXPECT_TRUE(schema_keywords_supported(schema)) << tool.name;
    EXPECT_EQ(schema.at("type"), "object") << tool.name;
    EXPECT_EQ(schema.at("additionalProperties"), false) << tool.name;
    EXPECT_NE(validate(json::parse(R"({"surely_unknown":1})"), schema), "") << tool.name;
  }
}

TEST(Tools, ApiPathCheck) {
  EXPECT_EQ(check_api_path("repos/o/r"), "");
  EXPECT_EQ(check_api_path("/repos/o/r/issues?state=open&per_page=5"), "");
  EXPECT_NE(check_api_path(""), "");
  EXPECT_NE(check_api_path("https://evil.example/x"), "");
  EXPECT_NE(check_api_path("//evil.example/x"), "");
  EXPECT_NE(check_api_path("repos/o r"), "");
  EXPECT_NE(check_api_path("repos/o\nr"), "");
  EXPECT_EQ(check_api_path(std::string(kMaxApiPathBytes, 'a')), "");
  EXPECT_NE(check_api_path(std::string(kMaxApiPathBytes + 1, 'a')), "");
}

}  // namespace
}  // namespace ipfsa::mcp
