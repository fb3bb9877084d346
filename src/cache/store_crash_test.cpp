// kill -9 the writer mid-write 50 times: the store must open every time with every acknowledged
// entry intact (issue 3, "A crash test").
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

// Starts the writer, kills it with SIGKILL after `delay`, returns the numbers it acknowledged.
std::set<unsigned long> run_and_kill(const std::filesystem::path& dir, unsigned long first,
                                     std::chrono::milliseconds delay) {
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
  ::usleep(static_cast<useconds_t>(std::chrono::microseconds(delay).count()));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the writer exited on its own: status " << status;
  // Everything in the pipe was printed after a put() returned: all of it is acknowledged.
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  std::set<unsigned long> acked;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    acked.insert(std::stoul(text.substr(start, nl - start)));
  }
  return acked;
}

TEST(StoreCrash, KillNineFiftyTimes) {
  testing::TempDir dir;
  std::mt19937 rng(12345);
  std::set<unsigned long> all_acked;
  std::size_t runs_with_writes = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int run = 0; run < kRuns; ++run) {
    const unsigned long first = static_cast<unsigned long>(run) * 1'000'000ul;
    const auto delay = std::chrono::milliseconds(15 + rng() % 100);
    const auto acked = run_and_kill(dir.path(), first, delay);
    runs_with_writes += !acked.empty();
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
  EXPECT_GE(runs_with_writes, kRuns / 2u)
      << "the writer rarely got to write: the test proves little";
  RecordProperty("acknowledged_entries", static_cast<int>(all_acked.size()));
  std::printf("crash test: %zu acknowledged entries over %d kills in %lld ms\n", all_acked.size(),
              kRuns,
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

}  // namespace
}  // namespace ipfsa::cache
