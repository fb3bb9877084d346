#include "discovery/registry/registry_service.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace ipfsa::registry {

RegistryService::RegistryService(Registry& registry, ServiceSchedule schedule,
                                 ServiceCallbacks callbacks)
    : registry_(registry), schedule_(schedule), callbacks_(std::move(callbacks)) {}

RegistryService::~RegistryService() { stop(); }

void RegistryService::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void RegistryService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  registry_.cancel();  // a heartbeat in flight ends after its current HTTP call
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::vector<RegistryPeer> RegistryService::peers() const {
  std::lock_guard lock(mutex_);
  return peers_;
}

std::string RegistryService::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

std::uint64_t RegistryService::successes() const {
  std::lock_guard lock(mutex_);
  return successes_;
}

std::uint64_t RegistryService::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

Duration RegistryService::next_wait(const ServiceSchedule& schedule, std::uint64_t failures,
                                    Duration retry_after, double unit, bool first_success) {
  const double jitter = std::clamp(schedule.jitter, 0.0, 0.9);
  const double factor = 1.0 + jitter * (2.0 * std::clamp(unit, 0.0, 1.0) - 1.0);
  if (failures == 0) {
    const Duration base = first_success ? std::min(schedule.follow_up, schedule.interval)
                                        : schedule.interval;
    const std::chrono::duration<double, Duration::period> exact = base * factor;
    return std::chrono::round<Duration>(exact);
  }
  Duration wait = schedule.min_backoff;
  for (std::uint64_t i = 1; i < failures && wait < schedule.max_backoff; ++i) wait *= 2;
  wait = std::min(wait, schedule.max_backoff);
  return std::max(wait, retry_after);
}

void RegistryService::run() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto result = registry_.heartbeat_once();
    Duration wait{};
    if (result) {
      {
        std::lock_guard lock(mutex_);
        peers_ = *result;
        last_error_ = registry_.last_error();  // "" unless the token may only read
        ++successes_;
        consecutive_failures_ = 0;
        wait = next_wait(schedule_, 0, {}, unit(rng_), successes_ == 1);
      }
      if (callbacks_.on_peers) callbacks_.on_peers(std::move(*result));
    } else {
      if (result.error() == Error::cancelled) return;  // cancelled by stop()
      std::string error = registry_.last_error();
      if (error.empty()) error = result.error().message();
      std::uint64_t consecutive = 0;
      {
        std::lock_guard lock(mutex_);
        last_error_ = error;
        ++failures_;
        consecutive = ++consecutive_failures_;
        wait = next_wait(schedule_, consecutive, registry_.retry_after(), unit(rng_));
      }
      if (consecutive == 1) {
        log::warn("registry: heartbeat failed: {}", error);
      } else {
        log::debug("registry: heartbeat failed ({} in a row): {}", consecutive, error);
      }
      if (callbacks_.on_error) callbacks_.on_error(error);
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, wait, [this] { return stopping_; })) return;
  }
}

}  // namespace ipfsa::registry
