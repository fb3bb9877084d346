// The stdio-to-node forwarder against an HttpEndpoint behind a minimal blocking HTTP/1.1 server
// on loopback (one request per connection).
#include "mcp/forward.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "mcp/http_transport.hpp"
#include "mcp/testing_backend.hpp"

namespace ipfsa::mcp {
namespace {
namespace json = boost::json;

class TinyHttpServer {
 public:
  explicit TinyHttpServer(HttpEndpoint& endpoint) : endpoint_(endpoint) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { loop(); });
  }
  ~TinyHttpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }
  std::vector<HttpExchange> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void loop() {
    while (!stop_) {
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      serve(c);
      ::close(c);
    }
  }
  void serve(int c) {
    std::string data;
    char buf[4096];
    std::size_t end = std::string::npos;
    while ((end = data.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<std::size_t>(n));
    }
    HttpExchange request;
    std::size_t length = 0;
    std::size_t pos = data.find("\r\n");
    request.method = data.substr(0, data.find(' '));
    while (pos < end) {
      const std::size_t next = data.find("\r\n", pos + 2);
      const std::string line = data.substr(pos + 2, next - pos - 2);
      pos = next;
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") length = std::stoul(value);
      request.headers.emplace_back(name, value);
    }
    request.body = data.substr(end + 4);
    while (request.body.size() < length) {
      const ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) return;
      request.body.append(buf, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    const HttpReply reply = endpoint_.handle(request);
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nConnection: close\r\n";
    for (const auto& [n, v] : reply.headers) out += n + ": " + v + "\r\n";
    out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
    (void)::write(c, out.data(), out.size());
  }

  HttpEndpoint& endpoint_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<HttpExchange> requests_;
};

constexpr std::string_view kInit =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}})";
constexpr std::string_view kInitialized =
    R"({"jsonrpc":"2.0","method":"notifications/initialized"})";

SecretBytes secret(std::string_view s) {
  return SecretBytes{
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())};
}

class Forward : public ::testing::Test {
 protected:
  testing::TestBackend backend_{"http://127.0.0.1:1"};
  Server server_{backend_, ServerInfo{"ipfs-accelerate", "test"}};
  HttpEndpoint endpoint_{server_};
  TinyHttpServer http_{endpoint_};
};

TEST_F(Forward, RelaysASessionAndEndsIt) {
  {
    HttpForwarder forwarder(http_.url(), secret("dashboard-token"));
    auto init = forwarder.forward(kInit);
    ASSERT_TRUE(init);
    EXPECT_EQ(json::parse(*init).at("result").at("protocolVersion"), "2025-06-18");
    EXPECT_EQ(endpoint_.session_count(), 1u);
    EXPECT_FALSE(forwarder.forward(kInitialized));
    auto status = forwarder.forward(
        R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_peer_status"}})");
    ASSERT_TRUE(status);
    EXPECT_EQ(json::parse(*status).at("result").at("structuredContent").at("peer_id"),
              "12D3KooWTestPeer");
    auto bad = forwarder.forward("{oops");
    ASSERT_TRUE(bad);
    EXPECT_EQ(json::parse(*bad).at("error").at("code"), kParseError);
  }
  EXPECT_EQ(endpoint_.session_count(), 0u);  // the destructor's DELETE
  const auto requests = http_.requests();
  ASSERT_GE(requests.size(), 5u);
  for (const auto& r : requests) {
    bool bearer = false;
    for (const auto& [n, v] : r.headers)
      bearer = bearer || (n == "authorization" && v == "Bearer dashboard-token");
    EXPECT_TRUE(bearer) << r.method;
  }
  EXPECT_EQ(requests.back().method, "DELETE");
  // After initialize, requests carry the session and the negotiated version.
  bool version = false;
  for (const auto& [n, v] : requests[2].headers)
    version = version || (n == "mcp-protocol-version" && v == "2025-06-18");
  EXPECT_TRUE(version);
}

TEST_F(Forward, ReplaysInitializeWhenTheNodeForgetsTheSession) {
  HttpForwarder forwarder(http_.url(), {});
  ASSERT_TRUE(forwarder.forward(kInit));
  EXPECT_FALSE(forwarder.forward(kInitialized));
  // The node forgets every session (as after a restart).
  for (const auto& r : http_.requests()) {
    for (const auto& [n, v] : r.headers) {
      if (n == "mcp-session-id")
        endpoint_.handle(HttpExchange{"DELETE", {{"mcp-session-id", v}}, ""});
    }
  }
  ASSERT_EQ(endpoint_.session_count(), 0u);
  auto pong = forwarder.forward(R"({"jsonrpc":"2.0","id":7,"method":"tools/list"})");
  ASSERT_TRUE(pong);
  EXPECT_EQ(json::parse(*pong).at("id"), 7);
  EXPECT_TRUE(json::parse(*pong).at("result").as_object().contains("tools"));
  EXPECT_EQ(endpoint_.session_count(), 1u);
}

TEST(ForwardUnreachable, RequestsGetAnErrorWithTheirId) {
  HttpForwarder forwarder("http://127.0.0.1:1/mcp", {});
  EXPECT_FALSE(forwarder.reachable());
  auto reply = forwarder.forward(R"({"jsonrpc":"2.0","id":"a","method":"ping"})");
  ASSERT_TRUE(reply);
  auto v = json::parse(*reply);
  EXPECT_EQ(v.at("id"), "a");
  EXPECT_EQ(v.at("error").at("code"), kInternalError);
  EXPECT_NE(std::string(v.at("error").at("message").as_string()).find("cannot reach the node"),
            std::string::npos);
  EXPECT_FALSE(forwarder.forward(kInitialized));
}

}  // namespace
}  // namespace ipfsa::mcp
