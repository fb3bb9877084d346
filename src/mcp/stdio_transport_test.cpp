// The stdio transport: line splitting with the size bound, and a whole session over pipes with
// the local backend (no P2P host).
#include "mcp/stdio_transport.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <thread>

#include "mcp/local_backend.hpp"
#include "mcp/testing_backend.hpp"

namespace ipfsa::mcp {
namespace {
namespace json = boost::json;

std::vector<LineReader::Line> drain(LineReader& r) {
  std::vector<LineReader::Line> out;
  while (auto l = r.next()) out.push_back(std::move(*l));
  return out;
}

TEST(LineReader, SplitsAcrossChunksAndStripsCr) {
  LineReader r(16);
  r.feed("ab");
  EXPECT_TRUE(drain(r).empty());
  r.feed("c\r\nde\n\nf");
  auto lines = drain(r);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "abc");
  EXPECT_EQ(lines[1].text, "de");
  EXPECT_EQ(lines[2].text, "");
  EXPECT_EQ(r.finish()->text, "f");
  EXPECT_FALSE(r.finish());
}

TEST(LineReader, OversizedLineIsDroppedAndReportedOnce) {
  LineReader r(4);
  r.feed("1234\n");  // exactly the limit
  r.feed("12345");
  r.feed("678");
  r.feed("9\nok\n");
  auto lines = drain(r);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "1234");
  EXPECT_TRUE(lines[1].oversized);
  EXPECT_EQ(lines[2].text, "ok");
  r.feed("123456");  // unterminated and oversized at end of input: nothing more
  EXPECT_TRUE(drain(r)[0].oversized);
  EXPECT_FALSE(r.finish());
}

TEST(Stdio, SessionOverPipesWithTheLocalBackend) {
  testing::TestBackend real("http://127.0.0.1:1");
  LocalBackend backend(real.gateway(), true);
  const Server server(backend, ServerInfo{"ipfs-accelerate", "test"});
  Session session;
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  int rc = -1;
  std::thread t([&] {
    rc = run_stdio(in[0], out[1],
                   [&](std::string_view m) { return server.handle_message(m, session); });
    ::close(out[1]);
  });
  std::string input =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_peer_status"}})"
      "\r\n";
  input += std::string(kMaxMessageBytes + 10, ' ') + "\n";
  input += "{oops\n";
  input += R"({"jsonrpc":"2.0","id":3,"method":"ping"})";  // no final newline
  ASSERT_EQ(::write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::close(in[1]);
  std::string output;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
    output.append(buf, static_cast<std::size_t>(n));
  t.join();
  ::close(in[0]);
  ::close(out[0]);
  EXPECT_EQ(rc, 0);
  std::vector<json::value> replies;
  for (std::size_t start = 0, nl; (nl = output.find('\n', start)) != std::string::npos;
       start = nl + 1) {
    replies.push_back(json::parse(std::string_view(output).substr(start, nl - start)));
  }
  ASSERT_EQ(replies.size(), 5u) << output;
  EXPECT_EQ(replies[0].at("id"), 1);
  const auto& status = replies[1].at("result").at("structuredContent");
  EXPECT_EQ(status.at("enabled"), true);
  EXPECT_EQ(status.at("active"), false);
  EXPECT_EQ(status.at("status").as_string(), kNoHostStatus);
  EXPECT_EQ(replies[2].at("error").at("code"), kInvalidRequest);  // oversized
  EXPECT_EQ(replies[3].at("error").at("code"), kParseError);
  EXPECT_EQ(replies[4].at("id"), 3);
  EXPECT_TRUE(session.client_ready);
}

TEST(Stdio, ClosedOutputEndsWithAnError) {
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  ::close(out[0]);
  ::signal(SIGPIPE, SIG_IGN);
  const std::string line = "x\n";
  ASSERT_EQ(::write(in[1], line.data(), line.size()), 2);
  ::close(in[1]);
  EXPECT_EQ(
      run_stdio(in[0], out[1], [](std::string_view) { return std::optional<std::string>("{}"); }),
      1);
  ::close(in[0]);
  ::close(out[1]);
}

}  // namespace
}  // namespace ipfsa::mcp
