#include "service/proxy.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "service/assets.hpp"

namespace ipfsa::service {
namespace {

constexpr std::string_view kUp = "http://127.0.0.1:4000/api.github.com/abc";
constexpr std::string_view kProxy = "http://127.0.0.1:8899/api/v3";

TEST(Proxy, LinkRewriting) {
  EXPECT_EQ(
      rewrite_link_header(std::string(R"(<)") + std::string(kUp) +
                              R"(/repositories/1/issues?page=2>; rel="next", <)" +
                              std::string(kUp) + R"(/repositories/1/issues?page=5>; rel="last")",
                          kUp, kProxy),
      R"(<http://127.0.0.1:8899/api/v3/repositories/1/issues?page=2>; rel="next", )"
      R"(<http://127.0.0.1:8899/api/v3/repositories/1/issues?page=5>; rel="last")");
  // Other origins, look-alike prefixes and malformed parts are left as they are.
  EXPECT_EQ(rewrite_link_header("<https://example.com/x>; rel=\"next\"", kUp, kProxy),
            "<https://example.com/x>; rel=\"next\"");
  const std::string lookalike = "<" + std::string(kUp) + "def/x>; rel=\"next\"";
  EXPECT_EQ(rewrite_link_header(lookalike, kUp, kProxy), lookalike);
  EXPECT_EQ(rewrite_link_header("<" + std::string(kUp) + ">", kUp, kProxy),
            "<" + std::string(kProxy) + ">");
  EXPECT_EQ(rewrite_link_header("<" + std::string(kUp) + "?page=2>", kUp, kProxy),
            "<" + std::string(kProxy) + "?page=2>");
  EXPECT_EQ(rewrite_link_header("<unterminated", kUp, kProxy), "<unterminated");
  EXPECT_EQ(rewrite_link_header("", kUp, kProxy), "");
}

HttpRequest request(std::string method, std::string body = {}, HeaderList headers = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(Proxy, RestCallKeepsAcceptBodyAndToken) {
  auto r =
      request("POST", "{\"title\":\"x\"}",
              {{"accept", "application/vnd.github.v3+json"}, {"content-type", "application/json"}});
  std::string t = "tok";
  auto call = rest_call(r, "/repos/o/r/issues?x=1",
                        SecretBytes(std::span(reinterpret_cast<const std::uint8_t*>(t.data()), 3)));
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.target, "/repos/o/r/issues?x=1");
  EXPECT_EQ(call.accept, "application/vnd.github.v3+json");
  EXPECT_EQ(call.body, "{\"title\":\"x\"}");
  EXPECT_EQ(call.content_type, "application/json");
  ASSERT_TRUE(call.token);
  EXPECT_EQ(call.token->size(), 3u);
  auto get = rest_call(request("GET", "", {{"accept", "*/*"}}), "", std::nullopt);
  EXPECT_EQ(get.target, "/");
  EXPECT_EQ(get.accept, "");  // curl's */* means GitHub's default media type
  EXPECT_FALSE(get.token);
  EXPECT_EQ(rest_call(request("HEAD"), "/x", std::nullopt).method, "GET");
}

TEST(Proxy, GraphqlCall) {
  auto ok = graphql_call(
      request("POST",
              R"({"query":"query { viewer { login } }","variables":{"a":1},"operationName":null})"),
      std::nullopt);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->query, "query { viewer { login } }");
  EXPECT_EQ(ok->variables_json, R"({"a":1})");
  EXPECT_EQ(ok->operation_name, "");
  for (std::string bad :
       {"", "{", "[]", "null", R"({"query":1})", R"({"variables":{}})",
        R"({"query":"q","variables":[1]})", R"({"query":"q","operationName":3})"}) {
    auto r = graphql_call(request("POST", bad), std::nullopt);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), Error::malformed) << bad;
  }
  const std::string huge =
      R"({"query":")" + std::string(cache::kMaxGraphqlQueryBytes + 1, 'q') + R"("})";
  auto r = graphql_call(request("POST", huge), std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Error::too_large);
}

node::Answer answer_with(int status, cache::Headers headers, std::string body) {
  auto entry =
      cache::make_entry(status, headers, std::move(body), cache::wall_now(), cache::wall_now());
  EXPECT_TRUE(entry);
  return {cache::CacheStatus::hit, std::make_shared<const cache::Entry>(std::move(*entry)), true};
}

TEST(Proxy, AnswerResponse) {
  auto answer = answer_with(200,
                            {{"content-type", "application/json"},
                             {"etag", "\"e1\""},
                             {"set-cookie", "secret"},
                             {"link", "<" + std::string(kUp) + "/x?page=2>; rel=\"next\""}},
                            "{}");
  auto r = answer_response(request("GET"), answer, kUp, kProxy);
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(r.body);
  EXPECT_EQ(*r.body, "{}");
  // The entry's headers in order (set-cookie is never stored), Link pointing at the proxy.
  const std::string expected = "content-type: application/json\r\n"
                               "etag: \"e1\"\r\n"
                               "Link: <" + std::string(kProxy) + "/x?page=2>; rel=\"next\"\r\n"
                               "X-Cache-Status: hit\r\n";
  EXPECT_EQ(r.header_lines, expected);
  EXPECT_TRUE(r.headers.empty());
  EXPECT_EQ(r.header("ETAG"), "\"e1\"");
  EXPECT_EQ(r.header("x-cache-status"), "hit");
  EXPECT_EQ(r.header("set-cookie"), "");
  auto not_modified =
      answer_response(request("GET", "", {{"if-none-match", "\"e1\""}}), answer, kUp, kProxy);
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_FALSE(not_modified.body);
  auto other =
      answer_response(request("GET", "", {{"if-none-match", "\"e2\""}}), answer, kUp, kProxy);
  EXPECT_EQ(other.status, 200);
  auto missing = answer_with(404, {}, R"({"message":"Not Found"})");
  EXPECT_EQ(answer_response(request("GET"), missing, kUp, kProxy).status, 404);
}

TEST(Proxy, HeaderLinesDropWhatCouldSplitAHeader) {
  HttpResponse r;
  r.add_header_line("X-Ok", "fine");
  r.add_header_line("X-Bad", "a\r\nSet-Cookie: injected");
  r.add_header_line("X-Nul", std::string("a\0b", 3));
  r.add_header_line("", "nameless");
  r.add_header_line("X\nBad", "name");
  r.add_header_line("X-Empty", "");
  EXPECT_EQ(r.header_lines, "X-Ok: fine\r\nX-Empty: \r\n");
  EXPECT_EQ(r.header("set-cookie"), "");
  EXPECT_EQ(r.header("x-ok"), "fine");
}

TEST(Proxy, GatewayErrorsAreGitHubStyle) {
  const std::pair<Error, int> cases[] = {
      {Error::timeout, 504},           {Error::io_failure, 502},  {Error::truncated, 502},
      {Error::malformed, 400},         {Error::unsupported, 400}, {Error::rate_limited, 429},
      {Error::protocol_violation, 502}};
  for (auto [error, status] : cases) {
    auto r = gateway_error(error);
    EXPECT_EQ(r.status, status);
    auto doc = boost::json::parse(*r.body).as_object();
    EXPECT_TRUE(doc.at("message").is_string());
    EXPECT_EQ(doc.at("documentation_url").as_string(), kDocumentationUrl);
  }
  // A rate limit says when to come back; a busy swarm asks for a short wait.
  auto limited = gateway_error(Error::rate_limited, std::chrono::seconds{42});
  EXPECT_EQ(limited.header("retry-after"), "42");
  EXPECT_NE(limited.body->find("retry in 42 s"), std::string::npos);
  EXPECT_EQ(gateway_error(Error::rate_limited).header("retry-after"), "1");  // never 0
  auto busy = gateway_error(Error::peer_busy);
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.header("retry-after"), "1");
  EXPECT_EQ(gateway_error(Error::limit_exceeded).status, 502);  // a peer's violation is no 429
}

TEST(Assets, ContentTypes) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("APP.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("icon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("data.json"), "application/json; charset=utf-8");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
  EXPECT_EQ(content_type_for("x.exe"), "application/octet-stream");
}

TEST(Assets, LookupRefusesPaths) {
  for (auto bad : {"", "../index.html", "a/b", ".hidden", "..", "a\\b"}) {
    EXPECT_EQ(find_asset(bad), nullptr) << bad;
  }
  for (const auto& asset : embedded_assets()) {
    EXPECT_EQ(find_asset(asset.name), &asset);
    EXPECT_EQ(asset.etag.size(), 34u);  // quoted 32 hex digits
  }
}

}  // namespace
}  // namespace ipfsa::service
