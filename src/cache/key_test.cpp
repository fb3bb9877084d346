#include "cache/key.hpp"

#include <gtest/gtest.h>

#include "base/bytes.hpp"
#include "crypto/sha256.hpp"

namespace ipfsa::cache {
namespace {

Result<CacheKey> rest(std::string_view target, std::string_view accept = {},
                      std::string_view method = "GET", std::string_view host = kDefaultApiHost) {
  RestRequest r;
  r.method = method;
  r.host = host;
  r.target = target;
  r.accept = accept;
  return rest_key(r);
}

TEST(CacheKey, RestCanonicalForm) {
  auto k = rest("repos/octocat/Hello-World/actions/runs?per_page=100&branch=main");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->text,
            "GET api.github.com/repos/octocat/Hello-World/actions/runs?branch=main&per_page=100 "
            "accept=application/vnd.github+json");
  EXPECT_EQ(k->path, "/repos/octocat/Hello-World/actions/runs");
  EXPECT_EQ(k->kind, ApiKind::rest);
  EXPECT_EQ(k->hash, hex_encode(crypto::sha256(as_bytes(k->text))));
  EXPECT_EQ(k->hash.size(), 64u);
}

TEST(CacheKey, QueryOrderDoesNotMatterButValuesDo) {
  auto a = rest("/user/repos?page=2&per_page=100&visibility=all");
  auto b = rest("/user/repos?visibility=all&per_page=100&page=2");
  auto c = rest("/user/repos?visibility=all&per_page=100&page=3");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_NE(a->hash, c->hash);
}

TEST(CacheKey, RepeatedParametersKeepTheirOrder) {
  auto a = rest("/issues?labels[]=a&x=1&labels[]=b");
  auto b = rest("/issues?labels[]=b&x=1&labels[]=a");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->hash, b->hash);
  EXPECT_NE(a->text.find("labels%5B%5D=a&labels%5B%5D=b&x=1"), std::string::npos) << a->text;
}

TEST(CacheKey, EquivalentSpellingsShareAKey) {
  const auto base = rest("/repos/o/r");
  ASSERT_TRUE(base);
  for (auto variant : {"repos/o/r", "https://api.github.com/repos/o/r",
                       "HTTPS://API.GITHUB.COM/repos/o/r", "/repos/%6F/r", "/repos/o/r#fragment"}) {
    auto k = rest(variant);
    ASSERT_TRUE(k) << variant;
    EXPECT_EQ(k->text, base->text) << variant;
  }
  auto lower_method = rest("/repos/o/r", {}, "get");
  ASSERT_TRUE(lower_method);
  EXPECT_EQ(lower_method->text, base->text);
  auto explicit_accept = rest("/repos/o/r", " Application/VND.github+json ");
  ASSERT_TRUE(explicit_accept);
  EXPECT_EQ(explicit_accept->text, base->text);
}

TEST(CacheKey, DifferentRequestsDiffer) {
  const auto base = rest("/repos/o/r");
  ASSERT_TRUE(base);
  EXPECT_NE(rest("/repos/o/R")->hash,
            base->hash);  // GitHub paths are case-insensitive, we don't guess
  EXPECT_NE(rest("/repos/o/r", "application/vnd.github.raw")->hash, base->hash);
  EXPECT_NE(rest("/repos/o/r", {}, "HEAD")->hash, base->hash);
  EXPECT_NE(rest("/repos/o/r", {}, "GET", "ghe.example.com/api/v3")->hash, base->hash);
  RestRequest scoped;
  scoped.target = "/repos/o/r";
  scoped.scope = "user-1a2b";
  auto s = rest_key(scoped);
  ASSERT_TRUE(s);
  EXPECT_NE(s->hash, base->hash);
  EXPECT_TRUE(s->text.starts_with(base->text));  // prefix invalidation still reaches it
}

TEST(CacheKey, EnterpriseBaseUrlAndAbsoluteLinks) {
  auto k = rest("repos/o/r/pulls?page=2", {}, "GET", "https://GHE.example.com/api/v3/");
  ASSERT_TRUE(k);
  EXPECT_TRUE(k->text.starts_with("GET ghe.example.com/api/v3/repos/o/r/pulls?page=2 ")) << k->text;
  // A Link header's absolute URL gives the same key as the relative form.
  auto link =
      rest("https://ghe.example.com/api/v3/repos/o/r/pulls?page=2", {}, "GET", "api.github.com");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->text, k->text);
}

TEST(CacheKey, PercentEncodingIsNormalised) {
  auto a = rest("/search/issues?q=repo:o/r is:open");
  auto b = rest("/search/issues?q=repo%3ao%2Fr%20is%3Aopen");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->text.find("q=repo:o/r%20is:open"), std::string::npos) << a->text;
  EXPECT_NE(b->text.find("q=repo%3Ao%2Fr%20is%3Aopen"), std::string::npos) << b->text;
  auto bad_escape = rest("/x?q=100%");
  ASSERT_TRUE(bad_escape);
  EXPECT_NE(bad_escape->text.find("q=100%25"), std::string::npos);
}

TEST(CacheKey, NeverContainsACredential) {
  for (auto target : {"/user?access_token=ghp_secret123", "/user?a=1&ACCESS_TOKEN=ghp_secret123",
                      "/user?client_secret=s3cr3t", "/user?%74oken=ghp_secret123",
                      "https://user:ghp_secret123@api.github.com/user"}) {
    auto k = rest(target);
    ASSERT_FALSE(k) << target;
    EXPECT_EQ(k.error(), Error::unsupported) << target;
  }
  RestRequest at_host;
  at_host.host = "x:ghp_secret123@api.github.com";
  at_host.target = "/user";
  EXPECT_EQ(rest_key(at_host).error(), Error::unsupported);
  // A parameter merely containing "token" is fine and kept.
  auto ok = rest("/repos/o/r/actions/runners/registration-token?tokenish=1");
  ASSERT_TRUE(ok);
}

TEST(CacheKey, RejectsMalformedAndOversized) {
  EXPECT_EQ(rest("").error(), Error::malformed);
  EXPECT_EQ(rest("/x", {}, "").error(), Error::malformed);
  EXPECT_EQ(rest("/x", {}, "G ET").error(), Error::malformed);
  EXPECT_EQ(rest("/x", {}, std::string(kMaxMethodBytes + 1, 'G')).error(), Error::too_large);
  EXPECT_EQ(rest("/x", {}, "GET", "").error(), Error::malformed);
  EXPECT_EQ(rest("/x", {}, "GET", "ftp://host").error(), Error::malformed);
  EXPECT_EQ(rest("/x", "text/html\x01").error(), Error::malformed);
  EXPECT_EQ(rest(std::string(1, '/').append(kMaxKeyBytes, 'a')).error(), Error::too_large);
  // Just under the limit is fine, a little more is not (the whole text counts).
  const std::size_t room =
      kMaxKeyBytes - std::string("GET api.github.com/ accept=application/vnd.github+json").size();
  EXPECT_TRUE(rest(std::string(1, '/').append(room, 'a')));
  EXPECT_EQ(rest(std::string(1, '/').append(room + 1, 'a')).error(), Error::too_large);
  RestRequest bad_scope;
  bad_scope.target = "/x";
  bad_scope.scope = "has space";
  EXPECT_EQ(rest_key(bad_scope).error(), Error::malformed);
  bad_scope.scope = std::string(kMaxScopeBytes + 1, 'a');
  EXPECT_EQ(rest_key(bad_scope).error(), Error::malformed);
}

TEST(GraphqlKey, WhitespaceCommasAndCommentsDoNotMatter) {
  GraphqlRequest a;
  a.query =
      "query($owner: String!, $name: String!) {\n  repository(owner: $owner, name: $name) {\n"
      "    # the id\n    id\n    name\n  }\n}\n";
  a.variables_json = R"({"owner":"o","name":"r"})";
  GraphqlRequest b = a;
  b.query = "query ( $owner : String! $name:String!){repository(owner:$owner name:$name){id name}}";
  b.variables_json = R"(  { "name" : "r", "owner": "o" } )";
  auto ka = graphql_key(a);
  auto kb = graphql_key(b);
  ASSERT_TRUE(ka && kb);
  EXPECT_EQ(ka->hash, kb->hash);
  EXPECT_EQ(ka->kind, ApiKind::graphql);
  EXPECT_EQ(ka->path, "graphql");
  EXPECT_TRUE(ka->text.starts_with("POST api.github.com/graphql graphql=")) << ka->text;
  EXPECT_EQ(normalize_graphql_query(b.query),
            "query($owner:String!$name:String!){repository(owner:$owner name:$name){id name}}");
}

TEST(GraphqlKey, StringsAreKeptVerbatim) {
  EXPECT_EQ(normalize_graphql_query("{ search(query: \"a  b, # c\") { n } }"),
            "{search(query:\"a  b, # c\"){n}}");
  EXPECT_EQ(normalize_graphql_query("{ f(s: \"\"\"x\n  ,y \\\"\"\" z\"\"\") }"),
            "{f(s:\"\"\"x\n  ,y \\\"\"\" z\"\"\")}");
  EXPECT_EQ(normalize_graphql_query("{ f(s: \"esc\\\"  q\") }"), "{f(s:\"esc\\\"  q\")}");
  GraphqlRequest a;
  a.query = "{ search(query: \"a b\") { n } }";
  GraphqlRequest b;
  b.query = "{ search(query: \"a  b\") { n } }";
  EXPECT_NE(graphql_key(a)->hash, graphql_key(b)->hash);
}

TEST(GraphqlKey, VariablesOperationAndScopeMatter) {
  GraphqlRequest a;
  a.query = "query Q($n:Int){viewer{login}}";
  a.variables_json = R"({"n":1})";
  GraphqlRequest b = a;
  b.variables_json = R"({"n":2})";
  GraphqlRequest c = a;
  c.operation_name = "Q";
  GraphqlRequest d = a;
  d.scope = "alice";
  GraphqlRequest empty = a;
  empty.variables_json = "";
  GraphqlRequest null_vars = a;
  null_vars.variables_json = "null";
  GraphqlRequest obj_vars = a;
  obj_vars.variables_json = "{}";
  const auto h = graphql_key(a)->hash;
  EXPECT_NE(graphql_key(b)->hash, h);
  EXPECT_NE(graphql_key(c)->hash, h);
  EXPECT_NE(graphql_key(d)->hash, h);
  EXPECT_EQ(graphql_key(empty)->hash, graphql_key(null_vars)->hash);
  EXPECT_EQ(graphql_key(empty)->hash, graphql_key(obj_vars)->hash);
}

TEST(GraphqlKey, RejectsBadInput) {
  GraphqlRequest r;
  r.query = "   # only a comment\n";
  EXPECT_EQ(graphql_key(r).error(), Error::malformed);
  r.query = "{viewer{login}}";
  r.variables_json = "[1,2]";
  EXPECT_EQ(graphql_key(r).error(), Error::malformed);
  r.variables_json = "{\"a\":";
  EXPECT_EQ(graphql_key(r).error(), Error::malformed);
  r.variables_json = "{}";
  const std::string big(kMaxGraphqlQueryBytes + 1, 'a');
  r.query = big;
  EXPECT_EQ(graphql_key(r).error(), Error::too_large);
}

TEST(CanonicalJson, SortsKeysRecursivelyAndDropsWhitespace) {
  auto c =
      canonical_json(R"( { "b" : [ 3, {"z":null,"a":true} ], "a" : "x\u0041\n", "c": -1.5e3 } )");
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, R"({"a":"xA\n","b":[3,{"a":true,"z":null}],"c":-1.5E3})");
  // Idempotent.
  EXPECT_EQ(*canonical_json(*c), *c);
}

TEST(CanonicalJson, RejectsMalformedAndTooDeep) {
  for (auto bad : {"", "{", "{\"a\"}", "[1,]", "nul", "{\"a\":1}x"}) {
    EXPECT_EQ(canonical_json(bad).error(), Error::malformed) << bad;
  }
  std::string deep(kMaxJsonDepth + 1, '[');
  deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(canonical_json(deep).error(), Error::too_large);
  std::string ok(kMaxJsonDepth - 1, '[');
  ok += std::string(kMaxJsonDepth - 1, ']');
  EXPECT_TRUE(canonical_json(ok));
}

TEST(CanonicalJson, EveryTruncatedPrefixOfAnObjectFails) {
  const std::string doc = R"({"owner":"o","labels":["a","b"],"n":12,"f":{"x":false}})";
  for (std::size_t n = 0; n < doc.size(); ++n) {
    EXPECT_FALSE(canonical_json(doc.substr(0, n))) << n;
  }
  EXPECT_TRUE(canonical_json(doc));
}

}  // namespace
}  // namespace ipfsa::cache

namespace ipfsa::cache {
namespace {

TEST(RestKeyRoute, IsThePathBelowTheApiBase) {
  auto proxied = rest_key({"GET", "http://127.0.0.1:1234/api.github.com/abc", "repos/o/r", "", ""});
  ASSERT_TRUE(proxied);
  EXPECT_EQ(proxied->path, "/repos/o/r");
  EXPECT_NE(proxied->text.find("127.0.0.1:1234/api.github.com/abc/repos/o/r"), std::string::npos);
  // A Link "next" URL under the same base has the same route.
  auto next = rest_key({"GET", "http://127.0.0.1:1234/api.github.com/abc",
                        "http://127.0.0.1:1234/api.github.com/abc/repos/o/r?page=2", "", ""});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->path, "/repos/o/r");
  auto ghe = rest_key({"GET", "https://ghe.example.com/api/v3", "/repos/o/r/actions/runs", "", ""});
  ASSERT_TRUE(ghe);
  EXPECT_EQ(ghe->path, "/repos/o/r/actions/runs");
  // Another authority, or a path that only shares a prefix, is not below the base.
  auto other = rest_key({"GET", "https://ghe.example.com/api/v3", "https://other.example/api/v3/x", "", ""});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->path, "/api/v3/x");
  auto sibling = rest_key({"GET", "https://h/api/v3", "https://h/api/v30/x", "", ""});
  ASSERT_TRUE(sibling);
  EXPECT_EQ(sibling->path, "/api/v30/x");
  auto plain = rest_key({"GET", "api.github.com", "repos/o/r", "", ""});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->path, "/repos/o/r");
}

}  // namespace
}  // namespace ipfsa::cache

namespace ipfsa::cache {
namespace {

TEST(CanonicalJson, NumbersBeyondADoubleAreMalformedNotInfinity) {
  // Found by fuzz/cache_codec_fuzz: 4444e22222 parsed to infinity and came out as "Infinity".
  auto big = canonical_json("{\"a\":4444e22222}");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error(), Error::malformed);
  EXPECT_FALSE(canonical_json("-1e999"));
  EXPECT_EQ(*canonical_json("{\"b\":1e300,\"a\":2}"), "{\"a\":2,\"b\":1E300}");
}

}  // namespace
}  // namespace ipfsa::cache

namespace ipfsa::cache {
namespace {

TEST(RestKeyBase, AQueryInTheBaseUrlIsMalformed) {
  // Found by fuzz/cache_codec_fuzz: "?" in the base merged the target's parameters into a query,
  // past the credential check.
  auto k = rest_key({"GET", "ia.pgj/vn?x", "g&access_token=secret", "", ""});
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error(), Error::malformed);
  EXPECT_FALSE(rest_key({"GET", "https://h/base#frag", "repos/o/r", "", ""}));
}

}  // namespace
}  // namespace ipfsa::cache
