// kill -9 the writer mid-write 50 times: the store must open every time with every acknowledged
// entry intact (issue 3, "A crash test"). The kill is placed by events, not by the clock: each run
// waits for the writer's first acknowledgement (however long starting it takes on a loaded
// machine), then kills after a random number of further acknowledgements or a random delay.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <string>

#include "cache/config.hpp"
#include "cache/store.hpp"
#include "cache/test_util.hpp"

#ifndef IPFSA_CACHE_CRASH_WRITER
#error "IPFSA_CACHE_CRASH_WRITER must name the cache_crash_writer binary"
#endif

namespace ipfsa::cache {
namespace {

constexpr int kRuns = 50;

// Same formula as crash_writer.cpp.
std::string crash_body(unsigned long n) {
  std::string body = "{\"n\":" + std::to_string(n) + ",\"pad\":\"";
  body.append(100 + (n * 7919) % 1900, static_cast<char>('a' + n % 26));
  body += "\"}";
  return body;
}

// How a run chooses the moment of the kill. Both are measured from the writer's first
// acknowledgement, so every run kills a writer that is writing, however slowly it started.
struct KillPoint {
  unsigned long further_acks = 0;          // kill once this many more puts were acknowledged...
  std::chrono::microseconds delay{0};      // ...or (if further_acks == 0) this long after the first
};

// Only catches a writer that is stuck or dead: a healthy one acknowledges within milliseconds.
constexpr auto kWriterStuck = std::chrono::seconds(120);

struct RunResult {
  std::set<unsigned long> acked;
  std::string error;  // empty unless the writer never acknowledged or exited on its own
};

// Reads "<n>\n" lines from `fd` into `text` until `lines` complete lines arrived; false on EOF or
// when nothing arrives within kWriterStuck.
bool read_lines(int fd, std::string& text, std::size_t lines) {
  char buf[4096];
  while (static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) < lines) {
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::chrono::milliseconds(kWriterStuck).count()));
    if (ready <= 0) return false;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

// Starts the writer, waits for its first acknowledgement, kills it with SIGKILL at `when`, returns
// the numbers it acknowledged.
RunResult run_and_kill(const std::filesystem::path& dir, unsigned long first, KillPoint when) {
  RunResult result;
  int out[2];
  EXPECT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    const std::string first_text = std::to_string(first);
    ::execl(IPFSA_CACHE_CRASH_WRITER, "cache_crash_writer", dir.c_str(), first_text.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  if (!read_lines(out[0], text, 1)) {
    result.error = "the writer acknowledged nothing within the deadline (or exited)";
  } else if (when.further_acks > 0) {
    if (!read_lines(out[0], text, 1 + when.further_acks)) result.error = "the writer stalled";
  } else {
    ::usleep(static_cast<useconds_t>(when.delay.count()));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (result.error.empty() && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
    result.error = "the writer exited on its own: status " + std::to_string(status);
  }
  // Everything in the pipe was printed after a put() returned: all of it is acknowledged.
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    result.acked.insert(std::stoul(text.substr(start, nl - start)));
  }
  return result;
}

TEST(StoreCrash, KillNineFiftyTimes) {
  testing::TempDir dir;
  std::mt19937 rng(12345);
  std::set<unsigned long> all_acked;
  std::size_t killed_mid_stream = 0;  // runs killed with acknowledged puts beyond the first
  const auto started = std::chrono::steady_clock::now();
  for (int run = 0; run < kRuns; ++run) {
    const unsigned long first = static_cast<unsigned long>(run) * 1'000'000ul;
    // Even runs: kill after 1..200 further acknowledgements (the writer is inside a put, between
    // two, or flushing). Odd runs: kill 0..20 ms after the first one, wherever the writer is.
    KillPoint when;
    if (run % 2 == 0) {
      when.further_acks = 1 + rng() % 200;
    } else {
      when.delay = std::chrono::microseconds(rng() % 20'000);
    }
    const auto result = run_and_kill(dir.path(), first, when);
    ASSERT_EQ(result.error, "") << "run " << run;
    const auto& acked = result.acked;
    ASSERT_FALSE(acked.empty()) << "run " << run;
    if (when.further_acks > 0) {
      ASSERT_GE(acked.size(), 1 + when.further_acks) << "run " << run;
    }
    killed_mid_stream += acked.size() > 1;
    all_acked.insert(acked.begin(), acked.end());

    StoreOptions options;
    options.file = dir.path() / kDatabaseFileName;
    options.hot_bytes = 0;  // read every body back from SQLite
    auto store = Store::open(options);
    ASSERT_TRUE(store) << "run " << run << ": " << store.error();
    ASSERT_TRUE((*store)->recovered_from().empty()) << "run " << run << ": store was corrupt";
    // Every run: all acknowledged entries are indexed, this run's bodies read back intact.
    // Every tenth run and the last: every acknowledged body so far.
    const bool full = run % 10 == 9;
    for (unsigned long n : all_acked) {
      const auto key = testing::key_for("/repos/crash/test/items/" + std::to_string(n));
      ASSERT_TRUE((*store)->peek(key.digest))
          << "run " << run << ": acknowledged entry " << n << " lost";
      if (!full && !acked.contains(n)) continue;
      auto got = (*store)->get(key.digest);
      ASSERT_TRUE(got) << "run " << run << ": acknowledged entry " << n << " unreadable";
      ASSERT_EQ(*(*got)->body, crash_body(n)) << "run " << run << ": entry " << n;
      ASSERT_EQ((*got)->header("etag"), std::string("\"").append(std::to_string(n)).append("\""));
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  // The even runs alone guarantee kills after further puts, however slow the machine.
  EXPECT_GE(killed_mid_stream, kRuns / 2u);
  RecordProperty("acknowledged_entries", static_cast<int>(all_acked.size()));
  std::printf("crash test: %zu acknowledged entries over %d kills in %lld ms\n", all_acked.size(),
              kRuns,
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

}  // namespace
}  // namespace ipfsa::cache
