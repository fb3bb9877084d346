#include "base/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <random>

namespace ipfsa {
namespace {

namespace json = boost::json;

TEST(JsonText, DoublesAsPythonAndJavaScriptWriteThem) {
  const std::pair<double, std::string_view> cases[] = {
      {0.01, "0.01"}, {0.8537, "0.8537"}, {85.4, "85.4"}, {0.0, "0"},       {-2.5, "-2.5"},
      {100.0, "100"}, {1e-7, "1e-07"},    {1e21, "1e+21"}, {1e300, "1e+300"}, {0.1 + 0.2, "0.30000000000000004"}};
  for (const auto& [value, text] : cases) {
    EXPECT_EQ(json_text(json::value(value)), text) << json::serialize(json::value(value));
  }
}

TEST(JsonText, OnlyNumbersWithAnExponentOutsideStringsChange) {
  json::object o;
  o["1E-2"] = "8.537E-1 \" 0E0 \\\" 1E5";  // keys and strings keep their text
  o["n"] = 12345678901234;                  // integers as they are
  o["u"] = std::uint64_t{18446744073709551615u};
  o["neg"] = -7;
  o["list"] = json::array{0.5, 1E-2, nullptr, true, "2E3", json::object{{"x", 2.5E-3}}};
  const auto text = json_text(o);
  EXPECT_EQ(text,
            R"({"1E-2":"8.537E-1 \" 0E0 \\\" 1E5","n":12345678901234,"u":18446744073709551615,)"
            R"("neg":-7,"list":[0.5,0.01,null,true,"2E3",{"x":0.0025}]})");
  EXPECT_EQ(json::parse(text), json::value(o));
}

TEST(JsonText, EveryDoubleRoundTrips) {
  std::mt19937_64 rng(20261126);
  std::uniform_int_distribution<std::uint64_t> bits;
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    double d;
    const std::uint64_t b = bits(rng);
    std::memcpy(&d, &b, sizeof d);
    if (!std::isfinite(d)) continue;
    const auto text = json_text(json::value(d));
    EXPECT_EQ(text.find('E'), std::string::npos) << text;
    // std::from_chars is exact (Boost.JSON 1.81's parser is not, for some doubles).
    double back = 0;
    ASSERT_EQ(std::from_chars(text.data(), text.data() + text.size(), back).ec, std::errc{});
    EXPECT_EQ(back, d) << text;
    ++checked;
  }
  EXPECT_GT(checked, 19000);
}

TEST(JsonText, PrettyPrintedInputKeepsItsSpacing) {
  EXPECT_EQ(plain_json_numbers("{\n  \"a\": 1E-2,\n  \"b\": [ 2.5E0 ]\n}"),
            "{\n  \"a\": 0.01,\n  \"b\": [ 2.5 ]\n}");
}

}  // namespace
}  // namespace ipfsa
