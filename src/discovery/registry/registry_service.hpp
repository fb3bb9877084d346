// Runs Registry::heartbeat_once() on its own thread: the first beat at start(), a second one
// `follow_up` ± `jitter` after the first success (default 30 s: nodes started together each read
// the comments before the others wrote theirs, so their first beats miss each other), then every
// `interval` ± `jitter` (default 5 min ± 20%, so a fleet started together spreads out), and after
// a failure waits min_backoff doubling up to max_backoff, or longer while the GitHub client says
// we are rate limited (retry_after). stop() wakes the sleep and joins promptly.
//
// Callbacks run on the service thread, never under the service's lock: on_peers after every
// successful heartbeat (the owner posts the dials to the io thread), on_error after a failed one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/time.hpp"
#include "discovery/registry/registry.hpp"

namespace ipfsa::registry {

inline constexpr Duration kHeartbeatInterval = std::chrono::minutes{5};
inline constexpr Duration kFirstFollowUp = std::chrono::seconds{30};  // after the first success
inline constexpr double kHeartbeatJitter = 0.2;  // ± fraction of the interval
inline constexpr Duration kMinBackoff = std::chrono::seconds{30};
inline constexpr Duration kMaxBackoff = std::chrono::minutes{30};

struct ServiceSchedule {
  Duration interval = kHeartbeatInterval;
  Duration follow_up = kFirstFollowUp;
  double jitter = kHeartbeatJitter;  // clamped to [0, 0.9]
  Duration min_backoff = kMinBackoff;
  Duration max_backoff = kMaxBackoff;
};

struct ServiceCallbacks {
  std::function<void(std::vector<RegistryPeer>)> on_peers;
  std::function<void(const std::string& error)> on_error;
};

class RegistryService {
 public:
  // REQUIRES: `registry` outlives the service.
  RegistryService(Registry& registry, ServiceSchedule schedule, ServiceCallbacks callbacks);
  ~RegistryService();  // stop()
  RegistryService(const RegistryService&) = delete;
  RegistryService& operator=(const RegistryService&) = delete;

  // Starts the thread (first heartbeat immediately). A second call does nothing.
  void start();
  // Wakes the thread, cancels the registry (Registry::cancel: the service owns its lifecycle
  // from start() on) and joins; a heartbeat in flight ends after its current HTTP call (at most
  // the GitHub client's per-call timeout). Safe to call more than once.
  void stop();

  std::vector<RegistryPeer> peers() const;  // from the last successful heartbeat
  std::string last_error() const;           // "" after a success (but for a read-only token)
  std::uint64_t successes() const;
  std::uint64_t failures() const;

  // The wait before the next beat: follow_up ± jitter after the first success (`first_success`),
  // interval ± jitter after later ones; after `failures` consecutive failures
  // min_backoff * 2^(failures-1) capped at max_backoff, at least `retry_after`. `unit` in [0, 1)
  // picks the jitter.
  static Duration next_wait(const ServiceSchedule& schedule, std::uint64_t failures,
                            Duration retry_after, double unit, bool first_success = false);

 private:
  void run();

  Registry& registry_;
  ServiceSchedule schedule_;
  ServiceCallbacks callbacks_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  std::vector<RegistryPeer> peers_;
  std::string last_error_;
  std::uint64_t successes_ = 0;
  std::uint64_t failures_ = 0;
  std::uint64_t consecutive_failures_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace ipfsa::registry
