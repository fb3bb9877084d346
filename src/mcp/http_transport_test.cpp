// The Streamable HTTP endpoint without sockets: sessions, status codes, headers, limits.
#include "mcp/http_transport.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "mcp/testing_backend.hpp"

namespace ipfsa::mcp {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kInit =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
constexpr std::string_view kPing = R"({"jsonrpc":"2.0","id":2,"method":"ping"})";
constexpr std::string_view kInitialized =
    R"({"jsonrpc":"2.0","method":"notifications/initialized"})";

std::string header(const HttpReply& reply, std::string_view name) {
  for (const auto& [n, v] : reply.headers) {
    if (n == name) return v;
  }
  return "";
}

class Http : public ::testing::Test {
 protected:
  HttpExchange post(std::string body, std::string session = "") {
    HttpExchange e;
    e.method = "POST";
    e.headers = {{"content-type", "application/json"},
                 {"accept", "application/json, text/event-stream"}};
    if (!session.empty()) {
      e.headers.emplace_back("mcp-session-id", session);
      e.headers.emplace_back("mcp-protocol-version", "2025-06-18");
    }
    e.body = std::move(body);
    return e;
  }
  std::string open(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
    auto reply = endpoint_.handle(post(std::string(kInit)), now);
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(header(reply, "Content-Type"), "application/json");
    EXPECT_EQ(json::parse(reply.body).at("result").at("protocolVersion"), "2025-06-18");
    return header(reply, "Mcp-Session-Id");
  }
  int error_code(const HttpReply& reply) {
    return static_cast<int>(json::parse(reply.body).at("error").at("code").as_int64());
  }

  testing::TestBackend backend_{"http://127.0.0.1:1"};
  Server server_{backend_, ServerInfo{"ipfs-accelerate", "test"}};
  HttpEndpoint endpoint_{server_};
};

TEST_F(Http, InitializeIssuesASessionUsedAfterwards) {
  const std::string id = open();
  ASSERT_EQ(id.size(), 2 * kSessionIdBytes);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(endpoint_.session_count(), 1u);
  EXPECT_NE(open(), id);  // each initialize: a new session
  auto notified = endpoint_.handle(post(std::string(kInitialized), id));
  EXPECT_EQ(notified.status, 202);
  EXPECT_EQ(notified.body, "");
  auto pong = endpoint_.handle(post(std::string(kPing), id));
  EXPECT_EQ(pong.status, 200);
  EXPECT_EQ(json::parse(pong.body).at("id"), 2);
  auto list = endpoint_.handle(post(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})", id));
  EXPECT_EQ(list.status, 200);
  EXPECT_TRUE(json::parse(list.body).at("result").at("tools").at(0).as_object().contains("title"));
  // A client's response (we never ask, but it must be accepted): 202.
  EXPECT_EQ(endpoint_.handle(post(R"({"jsonrpc":"2.0","id":"s1","result":{}})", id)).status, 202);
}

TEST_F(Http, SessionHeaderRequiredAfterInitialize) {
  auto reply = endpoint_.handle(post(std::string(kPing)));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(error_code(reply), kInvalidRequest);
  EXPECT_EQ(endpoint_.session_count(), 0u);
  auto unknown = endpoint_.handle(post(std::string(kPing), "00112233445566778899aabbccddeeff"));
  EXPECT_EQ(unknown.status, 404);
}

TEST_F(Http, DeleteEndsTheSession) {
  const std::string id = open();
  HttpExchange del;
  del.method = "DELETE";
  del.headers = {{"mcp-session-id", id}};
  EXPECT_EQ(endpoint_.handle(del).status, 204);
  EXPECT_EQ(endpoint_.session_count(), 0u);
  EXPECT_EQ(endpoint_.handle(post(std::string(kPing), id)).status, 404);
  EXPECT_EQ(endpoint_.handle(del).status, 404);
  del.headers.clear();
  EXPECT_EQ(endpoint_.handle(del).status, 400);
}

TEST_F(Http, GetAndOtherMethodsAre405) {
  for (auto method : {"GET", "PUT", "PATCH"}) {
    HttpExchange e;
    e.method = method;
    auto reply = endpoint_.handle(e);
    EXPECT_EQ(reply.status, 405) << method;
    EXPECT_EQ(header(reply, "Allow"), "POST, DELETE");
  }
}

TEST_F(Http, OriginMustBeLocalhost) {
  for (auto origin :
       {"http://evil.example", "https://localhost.evil.example", "null", "http://127.0.0.1.nip.io",
        "http://localhost:80x", "file://", "http://[::2]:3000"}) {
    auto e = post(std::string(kInit));
    e.headers.emplace_back("origin", origin);
    auto reply = endpoint_.handle(e);
    EXPECT_EQ(reply.status, 403) << origin;
  }
  EXPECT_EQ(endpoint_.session_count(), 0u);
  for (auto origin : {"http://localhost", "http://localhost:3000", "https://127.0.0.1:8899",
                      "http://[::1]:6274", "HTTP://LOCALHOST:1"}) {
    auto e = post(std::string(kInit));
    e.headers.emplace_back("origin", origin);
    EXPECT_EQ(endpoint_.handle(e).status, 200) << origin;
  }
}

TEST_F(Http, ProtocolVersionHeaderIsChecked) {
  const std::string id = open();
  auto e = post(std::string(kPing), id);
  e.headers.back().second = "1999-01-01";
  EXPECT_EQ(endpoint_.handle(e).status, 400);
  for (auto v : kSupportedVersions) {
    e.headers.back().second = std::string(v);
    EXPECT_EQ(endpoint_.handle(e).status, 200) << v;
  }
  e.headers.pop_back();  // absent: assumed 2025-03-26, accepted
  EXPECT_EQ(endpoint_.handle(e).status, 200);
}

TEST_F(Http, AcceptContentTypeAndSize) {
  auto e = post(std::string(kInit));
  e.headers[1].second = "application/json";
  EXPECT_EQ(endpoint_.handle(e).status, 406);
  e.headers[1].second = "*/*";
  EXPECT_EQ(endpoint_.handle(e).status, 200);
  e = post(std::string(kInit));
  e.headers[0].second = "text/plain";
  EXPECT_EQ(endpoint_.handle(e).status, 415);
  const std::string id = open();
  std::string big(kPing);
  big.append(kMaxMessageBytes + 1 - big.size(), ' ');
  auto reply = endpoint_.handle(post(big, id));
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(error_code(reply), kInvalidRequest);
}

TEST_F(Http, BadJsonIs400WithAParseError) {
  const std::string id = open();
  auto reply = endpoint_.handle(post("{", id));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(error_code(reply), kParseError);
  auto no_session = endpoint_.handle(post("{"));
  EXPECT_EQ(no_session.status, 400);
  EXPECT_EQ(error_code(no_session), kParseError);
  // A request that fails is still a 200 carrying the JSON-RPC error.
  auto unknown = endpoint_.handle(post(R"({"jsonrpc":"2.0","id":9,"method":"nope"})", id));
  EXPECT_EQ(unknown.status, 200);
  EXPECT_EQ(error_code(unknown), kMethodNotFound);
}

TEST_F(Http, IdleSessionsExpire) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string id = open(t0);
  EXPECT_EQ(endpoint_.handle(post(std::string(kPing), id), t0 + kSessionIdleTimeout - 1s).status,
            200);
  // Idle time counts from the last use.
  EXPECT_EQ(
      endpoint_.handle(post(std::string(kPing), id), t0 + 2 * kSessionIdleTimeout - 2s).status,
      200);
  EXPECT_EQ(endpoint_.handle(post(std::string(kPing), id), t0 + 3 * kSessionIdleTimeout).status,
            404);
  EXPECT_EQ(endpoint_.session_count(), 0u);
}

TEST_F(Http, AtMostMaxSessionsTheIdlestGoesFirst) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < kMaxSessions; ++i)
    ids.push_back(open(t0 + std::chrono::milliseconds(i)));
  EXPECT_EQ(endpoint_.session_count(), kMaxSessions);
  // Touch the first: now the second is the idlest.
  EXPECT_EQ(endpoint_.handle(post(std::string(kPing), ids[0]), t0 + 1s).status, 200);
  const std::string extra = open(t0 + 2s);
  EXPECT_EQ(endpoint_.session_count(), kMaxSessions);
  EXPECT_EQ(endpoint_.handle(post(std::string(kPing), ids[1]), t0 + 3s).status, 404);
  EXPECT_EQ(endpoint_.handle(post(std::string(kPing), ids[0]), t0 + 3s).status, 200);
  EXPECT_EQ(endpoint_.handle(post(std::string(kPing), extra), t0 + 3s).status, 200);
}

TEST_F(Http, ConcurrentRequestsOnSessions) {
  std::vector<std::string> ids{open(), open()};
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto reply = endpoint_.handle(post(
            R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_cache_stats"}})",
            ids[t % 2]));
        if (reply.status == 200 && json::parse(reply.body).at("result").at("isError") == false)
          ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 400);
}

}  // namespace
}  // namespace ipfsa::mcp
