// The JSON-RPC engine: lifecycle, version negotiation, every error code, batches, notifications,
// limits, and the status tools (no GitHub call: the gateway points at a closed port).
#include "mcp/server.hpp"

#include <gtest/gtest.h>

#include <random>

#include "mcp/testing_backend.hpp"
#include "mcp/tools.hpp"

namespace ipfsa::mcp {
namespace {
namespace json = boost::json;

std::string request(std::string_view method, std::string_view params = "{}", int id = 1) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + std::string(method) +
         R"(","params":)" + std::string(params) + "}";
}

std::string init_params(std::string_view version) {
  return R"({"protocolVersion":")" + std::string(version) +
         R"(","capabilities":{},"clientInfo":{"name":"test","version":"1"}})";
}

class Engine : public ::testing::Test {
 protected:
  json::value send(std::string_view text) {
    auto reply = server_.handle_message(text, session_);
    EXPECT_TRUE(reply.has_value()) << text;
    return reply ? json::parse(*reply) : json::value();
  }
  int error_code(std::string_view text) {
    auto v = send(text);
    const auto* e = v.is_object() ? v.get_object().if_contains("error") : nullptr;
    EXPECT_NE(e, nullptr) << json::serialize(v);
    return e ? static_cast<int>(e->at("code").as_int64()) : 0;
  }
  json::value result(std::string_view text) {
    auto v = send(text);
    EXPECT_TRUE(v.is_object() && v.get_object().contains("result")) << json::serialize(v);
    return v.is_object() && v.get_object().contains("result") ? v.at("result") : json::value();
  }
  void initialize(std::string_view version) {
    auto r = result(request("initialize", init_params(version)));
    ASSERT_EQ(r.at("protocolVersion"), json::value(version));
    EXPECT_FALSE(server_.handle_message(R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                                        session_));
  }
  json::value call(std::string_view tool, std::string_view arguments = "{}") {
    return result(request("tools/call", R"({"name":")" + std::string(tool) + R"(","arguments":)" +
                                            std::string(arguments) + "}"));
  }

  testing::TestBackend backend_{"http://127.0.0.1:1"};
  Server server_{backend_, ServerInfo{"ipfs-accelerate", "9.9.9"}};
  Session session_;
};

TEST_F(Engine, InitializeEchoesEachSupportedVersion) {
  for (auto version : kSupportedVersions) {
    Session session;
    auto reply = server_.handle(request("initialize", init_params(version)), session);
    ASSERT_TRUE(reply.reply);
    EXPECT_TRUE(reply.initialized_now);
    auto r = json::parse(*reply.reply).at("result");
    EXPECT_EQ(r.at("protocolVersion"), json::value(version));
    EXPECT_EQ(r.at("serverInfo").at("name"), "ipfs-accelerate");
    EXPECT_EQ(r.at("serverInfo").at("version"), "9.9.9");
    EXPECT_EQ(r.at("capabilities").at("tools").at("listChanged"), false);
    EXPECT_EQ(session.protocol_version, version);
    EXPECT_EQ(session.client_name, "test");
    EXPECT_FALSE(session.client_ready);
  }
}

TEST_F(Engine, UnknownVersionGetsOurLatest) {
  auto r = result(request("initialize", init_params("1999-01-01")));
  EXPECT_EQ(r.at("protocolVersion"), json::value(kLatestVersion));
  EXPECT_EQ(session_.protocol_version, kLatestVersion);
}

TEST_F(Engine, InitializeParamsAreChecked) {
  EXPECT_EQ(error_code(request("initialize", "{}")), kInvalidParams);
  EXPECT_EQ(error_code(request("initialize", R"({"protocolVersion":5})")), kInvalidParams);
  EXPECT_EQ(
      error_code(request("initialize", R"({"protocolVersion":"2025-06-18","capabilities":[]})")),
      kInvalidParams);
  EXPECT_FALSE(session_.initialized);
  initialize("2025-06-18");
  EXPECT_EQ(error_code(request("initialize", init_params("2025-06-18"))), kInvalidRequest);
}

TEST_F(Engine, OnlyPingBeforeInitialize) {
  EXPECT_EQ(result(request("ping")), json::object{});
  EXPECT_EQ(error_code(request("tools/list")), kInvalidRequest);
  EXPECT_EQ(error_code(request("tools/call", R"({"name":"get_peer_status"})")), kInvalidRequest);
  // notifications/initialized before initialize changes nothing.
  EXPECT_FALSE(server_.handle_message(R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                                      session_));
  EXPECT_FALSE(session_.client_ready);
}

TEST_F(Engine, NotificationsAndResponsesGetNoReply) {
  initialize("2025-11-25");
  EXPECT_TRUE(session_.client_ready);
  EXPECT_FALSE(server_.handle_message(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})",
      session_));
  EXPECT_FALSE(
      server_.handle_message(R"({"jsonrpc":"2.0","method":"no/such/notification"})", session_));
  EXPECT_FALSE(server_.handle_message(R"({"jsonrpc":"2.0","id":7,"result":{}})", session_));
  EXPECT_FALSE(server_.handle_message(
      R"({"jsonrpc":"2.0","id":7,"error":{"code":1,"message":"x"}})", session_));
  auto outcome = server_.handle(R"({"jsonrpc":"2.0","method":"notifications/x"})", session_);
  EXPECT_FALSE(outcome.had_requests);
}

TEST_F(Engine, ParseErrors) {
  for (std::string_view bad : {"{", "", "nul", "{\"jsonrpc\":\"2.0\",}", "[1,2", "\xff"}) {
    auto v = send(bad);
    EXPECT_EQ(v.at("error").at("code"), kParseError) << bad;
    EXPECT_TRUE(v.at("id").is_null());
  }
}

TEST_F(Engine, EveryTruncatedPrefixIsAParseError) {
  const std::string full =
      request("tools/call", R"({"name":"gh_api","arguments":{"path":"repos/o/r"}})");
  for (std::size_t n = 0; n < full.size(); ++n) {
    Session s;
    auto reply = server_.handle_message(std::string_view(full).substr(0, n), s);
    ASSERT_TRUE(reply) << n;
    EXPECT_EQ(json::parse(*reply).at("error").at("code"), kParseError) << n;
  }
}

TEST_F(Engine, InvalidRequests) {
  EXPECT_EQ(error_code(R"("ping")"), kInvalidRequest);
  EXPECT_EQ(error_code(R"(42)"), kInvalidRequest);
  EXPECT_EQ(error_code(R"({"id":1,"method":"ping"})"), kInvalidRequest);
  EXPECT_EQ(error_code(R"({"jsonrpc":"1.0","id":1,"method":"ping"})"), kInvalidRequest);
  EXPECT_EQ(error_code(R"({"jsonrpc":"2.0","id":1,"method":5})"), kInvalidRequest);
  EXPECT_EQ(error_code(R"({"jsonrpc":"2.0","id":null,"method":"ping"})"), kInvalidRequest);
  EXPECT_EQ(error_code(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})"), kInvalidRequest);
  EXPECT_EQ(error_code(R"({"jsonrpc":"2.0","id":{},"method":"ping"})"), kInvalidRequest);
  EXPECT_EQ(error_code(R"({"jsonrpc":"2.0","id":1})"), kInvalidRequest);
  // The id is echoed when it is valid.
  auto v = send(R"({"jsonrpc":"1.0","id":"abc","method":"ping"})");
  EXPECT_EQ(v.at("id"), "abc");
}

TEST_F(Engine, MethodNotFoundAndInvalidParams) {
  initialize("2025-06-18");
  EXPECT_EQ(error_code(request("resources/list")), kMethodNotFound);
  EXPECT_EQ(error_code(request("prompts/list")), kMethodNotFound);
  EXPECT_EQ(error_code(request("tools/list", "[]")), kInvalidParams);
  EXPECT_EQ(error_code(request("tools/list", R"({"cursor":"x"})")), kInvalidParams);
  EXPECT_EQ(error_code(request("tools/call", "{}")), kInvalidParams);
  EXPECT_EQ(error_code(request("tools/call", R"({"name":1})")), kInvalidParams);
  EXPECT_EQ(error_code(request("tools/call", R"({"name":"no_such_tool"})")), kInvalidParams);
  // Before 2025-11-25, arguments that fail the schema are -32602.
  EXPECT_EQ(error_code(request("tools/call", R"({"name":"gh_api","arguments":{}})")),
            kInvalidParams);
  EXPECT_EQ(
      error_code(request("tools/call", R"({"name":"gh_api","arguments":{"path":"x","bogus":1}})")),
      kInvalidParams);
  EXPECT_EQ(error_code(request("tools/call", R"({"name":"get_peer_status","arguments":[]})")),
            kInvalidParams);
}

TEST_F(Engine, From20251125InvalidArgumentsAreToolErrors) {
  initialize("2025-11-25");
  auto r = call("list_workflow_runs", R"({"repo":"o/r","per_page":1000})");
  EXPECT_EQ(r.at("isError"), true);
  EXPECT_EQ(r.at("content").at(0).at("type"), "text");
  EXPECT_EQ(r.at("content").at(0).at("text"),
            "invalid arguments: arguments.per_page: must be at most 100");
  // Unknown tools stay protocol errors.
  EXPECT_EQ(error_code(request("tools/call", R"({"name":"nope"})")), kInvalidParams);
}

TEST_F(Engine, ToolsListFollowsTheVersion) {
  for (auto version : kSupportedVersions) {
    Session s;
    server_.handle(request("initialize", init_params(version)), s);
    auto reply = json::parse(*server_.handle_message(request("tools/list"), s));
    const auto& list = reply.at("result").at("tools").as_array();
    ASSERT_EQ(list.size(), tools().size());
    for (const auto& t : list) {
      const auto& o = t.as_object();
      EXPECT_TRUE(o.contains("name") && o.contains("description") && o.contains("inputSchema"));
      EXPECT_EQ(o.contains("title"), std::string_view(version) >= "2025-06-18") << version;
      EXPECT_EQ(o.contains("annotations"), std::string_view(version) >= "2025-03-26") << version;
    }
  }
  std::vector<std::string> names;
  for (const auto& t : tools()) names.emplace_back(t.name);
  for (auto want : {"get_peer_status", "get_cache_stats", "get_dashboard_peer_status",
                    "get_dashboard_cache_stats", "gh_get_cache_stats", "gh_api", "gh_graphql",
                    "gh_invalidate_cache", "list_workflow_runs", "list_runners"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
}

TEST_F(Engine, PeerStatusComesFromTheBackend) {
  initialize("2025-06-18");
  auto r = call("get_peer_status");
  EXPECT_EQ(r.at("isError"), false);
  const auto& s = r.at("structuredContent");
  EXPECT_EQ(s.at("enabled"), true);
  EXPECT_EQ(s.at("active"), true);
  EXPECT_EQ(s.at("peer_id"), "12D3KooWTestPeer");
  EXPECT_EQ(s.at("peer_count"), 1);
  EXPECT_EQ(s.at("listen_addrs").at(0), "/ip4/127.0.0.1/tcp/9100/p2p/12D3KooWTestPeer");
  EXPECT_EQ(s.at("peers").at(0).at("found_by"), "mdns");
  EXPECT_EQ(s.at("peers").at(0).at("rtt_ms"), 1.5);
  EXPECT_EQ(s.at("peers").at(0).at("connected_since"), "2023-11-14T22:13:20Z");
  // The text content is the same object.
  EXPECT_EQ(json::parse(r.at("content").at(0).at("text").as_string()), s);
  backend_.p2p.active = false;
  backend_.p2p.status = "no free port";
  EXPECT_EQ(call("get_dashboard_peer_status").at("structuredContent").at("status"), "no free port");
}

TEST_F(Engine, CacheStatsHaveTheSeedKeysUnderEveryName) {
  initialize("2025-11-25");
  for (auto name : {"get_cache_stats", "get_dashboard_cache_stats", "gh_get_cache_stats"}) {
    auto s = call(name).at("structuredContent");
    for (auto key : {"available", "total_entries", "total_size_mb", "hit_rate", "p2p_enabled",
                     "p2p_peers", "hits", "misses", "peer_hits", "api_calls_made",
                     "api_calls_saved", "revalidations_304"}) {
      EXPECT_TRUE(s.as_object().contains(key)) << name << " " << key;
    }
    EXPECT_EQ(s.at("p2p_peers"), 1);
    EXPECT_EQ(s.at("p2p_enabled"), true);
  }
}

TEST_F(Engine, StructuredContentFrom20250618Only) {
  for (auto version : kSupportedVersions) {
    Session s;
    server_.handle(request("initialize", init_params(version)), s);
    auto r =
        json::parse(*server_.handle_message(
                        request("tools/call", R"({"name":"get_cache_stats","arguments":{}})"), s))
            .at("result");
    EXPECT_EQ(r.as_object().contains("structuredContent"),
              std::string_view(version) >= "2025-06-18")
        << version;
    EXPECT_EQ(r.at("isError"), false);
  }
}

TEST_F(Engine, BatchesOnlyWhereTheVersionHasThem) {
  EXPECT_EQ(error_code(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])"),
            kInvalidRequest);  // before init
  initialize("2025-03-26");
  auto replies =
      send("[" + request("ping", "{}", 1) + R"(,{"jsonrpc":"2.0","method":"notifications/x"},)" +
           request("tools/list", "{}", 2) + R"(,5])");
  ASSERT_TRUE(replies.is_array());
  ASSERT_EQ(replies.as_array().size(), 3u);
  EXPECT_EQ(replies.at(0).at("id"), 1);
  EXPECT_EQ(replies.at(1).at("id"), 2);
  EXPECT_EQ(replies.at(2).at("error").at("code"), kInvalidRequest);
  EXPECT_EQ(error_code("[]"), kInvalidRequest);
  EXPECT_FALSE(
      server_.handle_message(R"([{"jsonrpc":"2.0","method":"notifications/x"}])", session_));
  auto with_init = send("[" + request("initialize", init_params("2025-03-26")) + "]");
  EXPECT_EQ(with_init.at(0).at("error").at("code"), kInvalidRequest);
  std::string big = "[";
  for (std::size_t i = 0; i <= kMaxBatch; ++i)
    big += (i ? "," : "") + request("ping", "{}", static_cast<int>(i));
  EXPECT_EQ(error_code(big + "]"), kInvalidRequest);
  big = "[";
  for (std::size_t i = 0; i < kMaxBatch; ++i)
    big += (i ? "," : "") + request("ping", "{}", static_cast<int>(i));
  EXPECT_EQ(send(big + "]").as_array().size(), kMaxBatch);

  Session modern;
  server_.handle(request("initialize", init_params("2025-06-18")), modern);
  auto v = json::parse(*server_.handle_message("[" + request("ping") + "]", modern));
  EXPECT_EQ(v.at("error").at("code"), kInvalidRequest);
}

TEST_F(Engine, MessageSizeAndDepthLimits) {
  std::string at_limit = request("ping");
  at_limit.append(kMaxMessageBytes - at_limit.size(), ' ');
  EXPECT_EQ(result(at_limit), json::object{});
  EXPECT_EQ(error_code(at_limit + " "), kInvalidRequest);
  std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(error_code(deep), kParseError);
}

TEST_F(Engine, StringIdsAndLargeIntegerIdsAreEchoed) {
  auto v = send(R"({"jsonrpc":"2.0","id":"req-1","method":"ping"})");
  EXPECT_EQ(v.at("id"), "req-1");
  v = send(R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"})");
  EXPECT_EQ(v.at("id").as_uint64(), 18446744073709551615ull);
}

// Mutated messages (flips, cuts, insertions, splices; fixed seed): every answer is nullopt or one
// well-formed JSON-RPC response (or an array of them), and the engine never crashes (ASan/UBSan).
TEST_F(Engine, MutatedMessagesGetWellFormedAnswers) {
  const std::vector<std::string> corpus = {
      request("initialize", init_params("2025-03-26")),
      request("tools/list"),
      request("tools/call", R"({"name":"get_cache_stats","arguments":{}})"),
      request("tools/call", R"({"name":"get_peer_status"})"),
      "[" + request("ping", "{}", 1) + "," + request("tools/list", "{}", 2) + "]",
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
      R"({"jsonrpc":"2.0","id":"x","result":{}})",
  };
  std::mt19937 rng(20261126);
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  std::size_t answered = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string m = corpus[pick(corpus.size())];
    for (int k = 0, edits = 1 + static_cast<int>(pick(4)); k < edits && !m.empty(); ++k) {
      switch (pick(4)) {
        case 0:
          m[pick(m.size())] = static_cast<char>(pick(256));
          break;
        case 1:
          m.erase(pick(m.size()), 1 + pick(8));
          break;
        case 2:
          m.insert(pick(m.size() + 1), 1, "{}[]\",:0\x00"[pick(9)]);
          break;
        default:
          m += corpus[pick(corpus.size())].substr(pick(20));
          break;
      }
    }
    Session session;
    if (pick(2) == 0) server_.handle(request("initialize", init_params("2025-03-26")), session);
    auto reply = server_.handle_message(m, session);
    if (!reply) continue;
    ++answered;
    boost::system::error_code ec;
    auto v = json::parse(*reply, ec);
    ASSERT_FALSE(ec) << *reply;
    auto check = [&](const json::value& r) {
      ASSERT_TRUE(r.is_object()) << *reply;
      EXPECT_EQ(r.at("jsonrpc"), "2.0");
      EXPECT_TRUE(r.as_object().contains("id"));
      EXPECT_NE(r.as_object().contains("result"), r.as_object().contains("error")) << *reply;
    };
    if (v.is_array()) {
      for (const auto& r : v.as_array()) check(r);
    } else {
      check(v);
    }
  }
  EXPECT_GT(answered, 5000u);  // most mutations are answered (parse errors at least)
}

}  // namespace
}  // namespace ipfsa::mcp
