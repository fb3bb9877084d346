// Sharing's counters, shared by its streams (sharing_streams.cpp: asking and serving) and the rest
// (sharing.cpp, sharing_members.cpp). Internal to share/.
#pragma once

#include <atomic>
#include <cstdint>

#include "share/sharing.hpp"

namespace ipfsa::share {

struct Sharing::Counters {
  std::atomic<std::uint64_t> pulls{0}, from_owner{0}, from_announcer{0}, pull_failures{0},
      owner_timeouts{0}, served{0}, served_upstream{0}, rejected{0}, bytes_in{0}, bytes_out{0},
      sent{0}, received{0}, invalidations{0}, rate_limits{0}, member_records{0}, forwarded{0},
      owner_unreachable{0}, from_successor{0}, on_demand_dials{0}, taken_back{0};
  std::atomic<std::size_t> members{1};
};

}  // namespace ipfsa::share
