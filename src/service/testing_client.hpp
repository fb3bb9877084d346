// Test helper: a blocking loopback HTTP/1.1 client on raw sockets, so tests can send exactly the
// bytes they want (malformed, oversized, stalled) and read answers with deadlines.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/ascii.hpp"

namespace ipfsa::service::testing {

// How long a test waits for the server's answer or close: it only catches a hang (a loaded machine
// running the sanitizer build must never reach it). A test that must tell two deadlines apart
// sets the other one out of reach instead of timing the answer.
inline constexpr std::chrono::milliseconds kStuck = std::chrono::seconds(60);

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
  std::string head;  // status line + headers as received

  std::string header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return {};
  }
  bool has_header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return true;
    }
    return false;
  }
};

class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  bool send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads one response (Content-Length framed; HEAD: pass head_request). nullopt on timeout or
  // a connection closed before a complete response.
  std::optional<RawResponse> read(std::chrono::milliseconds timeout = kStuck,
                                  bool head_request = false) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(end)) return std::nullopt;
    }
    RawResponse r;
    r.head = buffer_.substr(0, header_end);
    std::size_t line_end = r.head.find("\r\n");
    const std::string status_line = r.head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    std::size_t pos = line_end == std::string::npos ? r.head.size() : line_end + 2;
    while (pos < r.head.size()) {
      auto next = r.head.find("\r\n", pos);
      if (next == std::string::npos) next = r.head.size();
      const std::string line = r.head.substr(pos, next - pos);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        const std::string name = ascii_lower(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers.emplace_back(name, value);
      }
      pos = next + 2;
    }
    buffer_.erase(0, header_end + 4);
    if (r.status == 100) return read(timeout, head_request);
    std::size_t length = 0;
    if (auto cl = r.header("content-length"); !cl.empty()) length = std::stoul(cl);
    if (head_request || r.status == 304 || r.status == 204) length = 0;
    while (buffer_.size() < length) {
      if (!fill(end)) return std::nullopt;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // True if the server closes the connection (EOF or reset) within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout = kStuck) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  bool fill(std::chrono::steady_clock::time_point end) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

// "GET <target> HTTP/1.1" with Host and the given extra header lines ("Name: value").
inline std::string get_request(const std::string& target,
                               const std::vector<std::string>& headers = {},
                               const std::string& method = "GET",
                               const std::string& host = "127.0.0.1") {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
  for (const auto& h : headers) r += h + "\r\n";
  return r + "\r\n";
}

}  // namespace ipfsa::service::testing
