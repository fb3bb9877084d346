// service_loadgen: one closed-loop load generator for both sides of the issue-5 comparison, so that
// our HTTP GET and Redis GET are timed by the same client in the same way.
//
//   service_loadgen http  HOST PORT PATH [-H 'Name: value']... [-c N] [-d S] [--warmup S]
//   service_loadgen redis HOST PORT KEY                        [-c N] [-d S] [--warmup S]
//
// N keep-alive connections (default 32) in one thread (epoll), each sending its next request as
// soon as the previous reply is complete, like redis-benchmark. A request's latency runs from
// the write of its first byte to the arrival of the last byte of its reply. Replies completed
// during the warm-up (default 1 s) are not counted. Prints one line:
//   requests=R errors=E rps=X p50_us=A p90_us=B p99_us=C mean_us=M reply_bytes=Y
// An HTTP reply other than 200, a Redis error or nil reply, or a closed connection is an error;
// any error makes the exit status 1. Loopback only: HOST must be a numeric IPv4 address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Replies larger than this are refused (the benchmark serves one cached repository, ~8 KiB).
constexpr std::size_t kMaxReply = 16 * 1024 * 1024;
constexpr std::size_t kMaxConnections = 1024;

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "service_loadgen: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "service_loadgen: %s\nusage: service_loadgen http HOST PORT PATH [-H 'N: v']... "
               "[-c N] [-d S] [--warmup S]\n       service_loadgen redis HOST PORT KEY "
               "[-c N] [-d S] [--warmup S]\n",
               why);
  std::exit(2);
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char a = static_cast<char>(text[i] | 0x20);
    if (a != prefix[i]) return false;
  }
  return true;
}

enum class Parse { incomplete, done, error };

// Complete HTTP/1.1 response with Content-Length (our server always sends one on 200).
Parse parse_http(std::string_view in, std::size_t& reply_size) {
  const auto end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) return in.size() > 64 * 1024 ? Parse::error : Parse::incomplete;
  const std::string_view head = in.substr(0, end + 2);
  if (head.size() < 12 || head.substr(0, 9) != "HTTP/1.1 " || head.substr(9, 3) != "200") {
    return Parse::error;
  }
  std::size_t length = 0;
  bool have_length = false;
  for (std::size_t pos = head.find("\r\n") + 2; pos < head.size();) {
    const std::size_t eol = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, eol - pos);
    if (iequals_prefix(line, "content-length:")) {
      std::string_view v = line.substr(15);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      if (std::from_chars(v.data(), v.data() + v.size(), length).ec != std::errc{}) {
        return Parse::error;
      }
      have_length = true;
    }
    pos = eol + 2;
  }
  if (!have_length || length > kMaxReply) return Parse::error;
  const std::size_t total = end + 4 + length;
  if (in.size() < total) return Parse::incomplete;
  if (in.size() > total) return Parse::error;  // nothing was pipelined
  reply_size = length;
  return Parse::done;
}

// A RESP bulk string reply: $<len>\r\n<bytes>\r\n. Nil ($-1) and errors count as errors.
Parse parse_resp(std::string_view in, std::size_t& reply_size) {
  const auto eol = in.find("\r\n");
  if (eol == std::string_view::npos) return in.size() > 64 ? Parse::error : Parse::incomplete;
  if (in.front() != '$') return Parse::error;
  std::size_t length = 0;
  const auto digits = in.substr(1, eol - 1);
  if (std::from_chars(digits.data(), digits.data() + digits.size(), length).ec != std::errc{} ||
      length > kMaxReply) {
    return Parse::error;
  }
  const std::size_t total = eol + 2 + length + 2;
  if (in.size() < total) return Parse::incomplete;
  if (in.size() > total) return Parse::error;
  reply_size = length;
  return Parse::done;
}

struct Conn {
  int fd = -1;
  std::size_t sent = 0;
  std::uint64_t started = 0;
  std::string in;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) usage("missing arguments");
  const std::string mode = argv[1];
  const bool http = mode == "http";
  if (!http && mode != "redis") usage("mode must be http or redis");
  const std::string host = argv[2];
  const int port = std::atoi(argv[3]);
  const std::string target = argv[4];
  std::vector<std::string> headers;
  std::size_t connections = 32;
  double duration = 10;
  double warmup = 1;
  for (int i = 5; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage("flag without value");
    const char* value = argv[++i];
    if (flag == "-H") {
      headers.emplace_back(value);
    } else if (flag == "-c") {
      connections = std::strtoul(value, nullptr, 10);
    } else if (flag == "-d") {
      duration = std::atof(value);
    } else if (flag == "--warmup") {
      warmup = std::atof(value);
    } else {
      usage("unknown flag");
    }
  }
  if (connections == 0 || connections > kMaxConnections) usage("-c must be 1..1024");
  if (duration <= 0 || warmup < 0) usage("-d must be > 0 and --warmup >= 0");
  if (port <= 0 || port > 65535) usage("bad port");

  std::string request;
  if (http) {
    request = "GET " + target + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) + "\r\n";
    for (const auto& h : headers) request += h + "\r\n";
    request += "\r\n";
  } else {
    request = "*2\r\n$3\r\nGET\r\n$" + std::to_string(target.size()) + "\r\n" + target + "\r\n";
  }

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) usage("HOST must be numeric IPv4");

  const int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  std::vector<Conn> conns(connections);
  for (std::size_t i = 0; i < connections; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connect");
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conns[i].fd = fd;
    conns[i].in.reserve(64 * 1024);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
  }

  auto send_request = [&](Conn& c) {
    c.started = now_ns();
    const ssize_t n = ::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL);
    // A request of a few hundred bytes fits an empty socket buffer: a short write means trouble.
    if (n != static_cast<ssize_t>(request.size())) die("short send");
  };
  for (auto& c : conns) send_request(c);

  std::vector<std::uint32_t> latencies_ns;  // under 4.29 s each
  latencies_ns.reserve(static_cast<std::size_t>(duration * 300'000));
  std::uint64_t errors = 0;
  std::size_t reply_bytes = 0;
  const std::uint64_t start = now_ns();
  const std::uint64_t measure_from = start + static_cast<std::uint64_t>(warmup * 1e9);
  const std::uint64_t stop_at = measure_from + static_cast<std::uint64_t>(duration * 1e9);
  std::vector<char> buffer(256 * 1024);
  std::vector<epoll_event> events(connections);
  std::size_t open = connections;
  std::uint64_t now = start;
  while (now < stop_at && open > 0) {
    const int ready = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    if (ready < 0 && errno != EINTR) die("epoll_wait");
    for (int e = 0; e < ready; ++e) {
      Conn& c = conns[events[e].data.u64];
      if (c.fd < 0) continue;
      bool closed = false;
      for (;;) {
        const ssize_t n = ::recv(c.fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n > 0) {
          c.in.append(buffer.data(), static_cast<std::size_t>(n));
          if (static_cast<std::size_t>(n) < buffer.size()) break;
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        closed = true;
        break;
      }
      std::size_t size = 0;
      const Parse p = closed ? Parse::error : (http ? parse_http(c.in, size) : parse_resp(c.in, size));
      if (p == Parse::incomplete) continue;
      now = now_ns();
      if (p == Parse::error) {
        ++errors;
        if (errors <= 3) {
          std::fprintf(stderr, "service_loadgen: bad reply: %.*s\n",
                       static_cast<int>(std::min<std::size_t>(c.in.size(), 200)), c.in.data());
        }
        close(c.fd);
        c.fd = -1;
        --open;
        continue;
      }
      if (now >= measure_from && now < stop_at) {
        latencies_ns.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(now - c.started, UINT32_MAX)));
        reply_bytes = size;
      }
      c.in.clear();
      send_request(c);
    }
    now = now_ns();
  }
  const double measured_s =
      static_cast<double>(std::min(now, stop_at) - std::min(now, measure_from)) / 1e9;
  for (auto& c : conns) {
    if (c.fd >= 0) close(c.fd);
  }
  close(ep);

  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto pct = [&](double p) {
    if (latencies_ns.empty()) return 0.0;
    const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(latencies_ns.size() - 1));
    return latencies_ns[i] / 1000.0;
  };
  double sum = 0;
  for (auto v : latencies_ns) sum += v;
  const double mean_us = latencies_ns.empty() ? 0 : sum / static_cast<double>(latencies_ns.size()) / 1000.0;
  std::printf("requests=%zu errors=%llu rps=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f mean_us=%.1f "
              "reply_bytes=%zu\n",
              latencies_ns.size(), static_cast<unsigned long long>(errors),
              measured_s > 0 ? static_cast<double>(latencies_ns.size()) / measured_s : 0.0, pct(50),
              pct(90), pct(99), mean_us, reply_bytes);
  return errors == 0 && !latencies_ns.empty() ? 0 : 1;
}
