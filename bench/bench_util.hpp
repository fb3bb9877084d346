// Small helpers shared by the benchmark programs: sample statistics, RSS of a process, the bench
// protocol identifiers and the line-oriented handshake between the bench client and server.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace ipfsa::bench {

// Protocols served by `p2p_bench server` and by `js_bench.mjs server` (same wire behaviour):
// echo: the reply is the request. get: the first 4 bytes (big-endian) are the reply size.
// sink: reads to the end, replies with the byte count as 8 bytes big-endian.
inline constexpr const char* kEchoProtocol = "/ipfs-accelerate/bench/echo/1.0.0";
inline constexpr const char* kGetProtocol = "/ipfs-accelerate/bench/get/1.0.0";
inline constexpr const char* kSinkProtocol = "/ipfs-accelerate/bench/sink/1.0.0";
inline constexpr std::size_t kMaxRequest = 1024 * 1024;
inline constexpr std::size_t kMaxGetReply = 64 * 1024 * 1024;

// Percentiles over a sample set (copied and sorted once).
class Samples {
 public:
  void add(double v) { values_.push_back(v); }
  std::size_t size() const { return values_.size(); }
  double percentile(double p) const;  // p in [0, 100]; 0 when empty
 private:
  std::vector<double> values_;
};

// Resident set size of `pid` (0 = this process) in KiB, from /proc/<pid>/status VmRSS.
std::optional<double> rss_kib(pid_t pid);

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft limit.
std::uint64_t raise_fd_limit();

// A child process started with a pipe on its stdout.
struct Child {
  pid_t pid = -1;
  int out = -1;  // read end of the child's stdout
};
Child spawn(const std::vector<std::string>& argv);
// Reads one line (without the newline) from fd; nullopt at EOF.
std::optional<std::string> read_line(int fd);
// SIGTERM then waitpid.
void stop(Child& child);

Bytes request_for_get(std::size_t request_size, std::uint32_t reply_size);

}  // namespace ipfsa::bench
