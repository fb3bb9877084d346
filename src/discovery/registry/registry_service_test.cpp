#include "discovery/registry/registry_service.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "discovery/registry/fixtures_testing.hpp"

namespace ipfsa::registry {
namespace {

using namespace std::chrono_literals;
using Service = testing::RegistryFixtures;

// Counts callbacks and lets the test wait for the n-th one (no sleeps).
struct Events {
  std::mutex mutex;
  std::condition_variable changed;
  int peers_calls = 0;
  int error_calls = 0;
  std::vector<RegistryPeer> last_peers;
  std::string last_error;

  ServiceCallbacks callbacks() {
    return {[this](std::vector<RegistryPeer> peers) {
              std::lock_guard lock(mutex);
              ++peers_calls;
              last_peers = std::move(peers);
              changed.notify_all();
            },
            [this](const std::string& error) {
              std::lock_guard lock(mutex);
              ++error_calls;
              last_error = error;
              changed.notify_all();
            }};
  }
  bool wait_for(const std::function<bool()>& done) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 120s, done);  // only catches a stuck service
  }
};

TEST(ServiceSchedule, JitterAndBackoff) {
  ServiceSchedule s;
  EXPECT_EQ(RegistryService::next_wait(s, 0, 0s, 0.5), 5min);
  EXPECT_EQ(RegistryService::next_wait(s, 0, 0s, 0.0), std::chrono::duration_cast<Duration>(4min));
  EXPECT_EQ(RegistryService::next_wait(s, 0, 0s, 1.0), std::chrono::duration_cast<Duration>(6min));
  EXPECT_EQ(RegistryService::next_wait(s, 0, 999s, 0.5), 5min);  // retry_after: failures only
  EXPECT_EQ(RegistryService::next_wait(s, 1, 0s, 0.5), 30s);
  EXPECT_EQ(RegistryService::next_wait(s, 2, 0s, 0.5), 60s);
  EXPECT_EQ(RegistryService::next_wait(s, 4, 0s, 0.5), 240s);
  EXPECT_EQ(RegistryService::next_wait(s, 7, 0s, 0.5), 30min);  // capped at max_backoff
  // The beat after the first success comes soon, for nodes that started together.
  EXPECT_EQ(RegistryService::next_wait(s, 0, 0s, 0.5, true), 30s);
  EXPECT_EQ(RegistryService::next_wait(s, 0, 0s, 0.0, true), 24s);
  EXPECT_EQ(RegistryService::next_wait(s, 1, 0s, 0.5, true), 30s);  // failures: back-off as before
  ServiceSchedule slow;
  slow.interval = 10s;  // a follow-up is never later than the interval
  EXPECT_EQ(RegistryService::next_wait(slow, 0, 0s, 0.5, true), 10s);
  EXPECT_EQ(RegistryService::next_wait(s, 1000, 0s, 0.5), 30min);
  EXPECT_EQ(RegistryService::next_wait(s, 1, 3600s, 0.5), 3600s);  // the rate limit says more
  s.jitter = 5.0;                                                  // clamped to 0.9
  EXPECT_EQ(RegistryService::next_wait(s, 0, 0s, 0.0), std::chrono::duration_cast<Duration>(30s));
}

TEST_F(Service, FirstBeatAtStartAndStopWakesTheSleep) {
  auto client = scenario_client("registry-create-issue-late-racer");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  Events events;
  ServiceSchedule schedule;
  schedule.interval = 1h;
  RegistryService service(*registry, schedule, events.callbacks());
  service.start();
  ASSERT_TRUE(events.wait_for([&] { return events.peers_calls == 1; }));
  EXPECT_EQ(service.successes(), 1u);
  EXPECT_EQ(service.last_error(), "");
  EXPECT_TRUE(service.peers().empty());
  const auto t0 = std::chrono::steady_clock::now();
  service.stop();  // wakes the hour-long sleep: the bound only fails if it does not
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  service.stop();  // idempotent
  EXPECT_EQ(events.peers_calls, 1);
}

TEST_F(Service, StopCancelsAHeartbeatInFlight) {
  // The first answer takes 60 s and the client's own deadline is 120 s: only cancelling the call
  // in flight lets stop() return within the bound below.
  auto client = scenario_client("registry-slow", 120s);
  ASSERT_TRUE(client);
  auto cfg = registry_config();
  cfg.repo = "octokit-fixture-org/registry-slow";
  auto registry = Registry::create(*client, cfg);
  ASSERT_TRUE(registry);
  Events events;
  RegistryService service(**registry, {}, events.callbacks());
  service.start();
  ASSERT_TRUE(wait_until_held(1)) << "the first request never reached GitHub";
  const auto t0 = std::chrono::steady_clock::now();
  service.stop();  // during the first call: never the two calls after it
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  EXPECT_EQ((*registry)->stats().requests, 0u);  // the cancelled call did not complete
  EXPECT_EQ(events.peers_calls, 0);
  EXPECT_EQ(events.error_calls, 0);  // a cancellation is not reported as a failure
  EXPECT_EQ(service.failures(), 0u);
}

TEST_F(Service, BeatsAgainAfterTheIntervalAndReportsPeers) {
  auto client = scenario_client("registry-upsert");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  Events events;
  ServiceSchedule schedule;
  schedule.interval = 20ms;
  schedule.jitter = 0;
  RegistryService service(*registry, schedule, events.callbacks());
  service.start();
  ASSERT_TRUE(events.wait_for([&] { return events.peers_calls >= 2; }));
  service.stop();  // the scenario has nothing for a third beat: stop first
  ASSERT_EQ(events.last_peers.size(), 1u);
  EXPECT_EQ(events.last_peers[0].record.runner_name, "other");
  ASSERT_EQ(service.peers().size(), 1u);
  EXPECT_EQ(registry->stats().not_modified, 1u);  // the second beat revalidated
}

TEST_F(Service, TheSecondBeatFollowsSoonAfterTheFirst) {
  auto client = scenario_client("registry-upsert");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  Events events;
  ServiceSchedule schedule;
  schedule.interval = 1h;
  schedule.follow_up = 20ms;
  schedule.jitter = 0;
  RegistryService service(*registry, schedule, events.callbacks());
  service.start();
  // Only the follow-up can bring the second beat within the wait.
  ASSERT_TRUE(events.wait_for([&] { return events.peers_calls >= 2; }));
  const auto t0 = std::chrono::steady_clock::now();
  service.stop();  // the third beat is an hour away: stop wakes it at once
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  EXPECT_EQ(events.peers_calls, 2);
  EXPECT_EQ(service.successes(), 2u);
}

TEST_F(Service, FailureIsReportedAndBacksOffForTheRateLimit) {
  auto client = scenario_client("registry-rate-limited");
  ASSERT_TRUE(client);
  auto registry = make_registry(*client);
  ASSERT_TRUE(registry);
  Events events;
  ServiceSchedule schedule;
  schedule.min_backoff = 1ms;  // the 403's Retry-After (120 s) must win
  RegistryService service(*registry, schedule, events.callbacks());
  service.start();
  ASSERT_TRUE(events.wait_for([&] { return events.error_calls == 1; }));
  EXPECT_NE(events.last_error.find("HTTP 403"), std::string::npos) << events.last_error;
  EXPECT_EQ(service.last_error(), events.last_error);
  EXPECT_EQ(service.failures(), 1u);
  const auto t0 = std::chrono::steady_clock::now();
  service.stop();  // wakes the 120 s back-off
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  EXPECT_EQ(events.error_calls, 1);  // no retry within the 1 ms backoff: it waited for the limit
  EXPECT_EQ(events.peers_calls, 0);
  EXPECT_EQ(registry->stats().requests, 1u);
}

}  // namespace
}  // namespace ipfsa::registry
