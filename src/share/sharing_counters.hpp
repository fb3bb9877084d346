// Sharing's counters and its asking coroutines, shared by its asking side (sharing_ask.cpp), its
// serving side (sharing_serve.cpp, which forwards to a better owner) and the rest (sharing.cpp,
// sharing_members.cpp). Internal to share/.
#pragma once

#include <atomic>
#include <cstdint>

#include "io/asio.hpp"
#include "share/sharing.hpp"

namespace ipfsa::share {

struct Sharing::Counters {
  std::atomic<std::uint64_t> pulls{0}, from_owner{0}, from_announcer{0}, pull_failures{0},
      owner_timeouts{0}, served{0}, served_upstream{0}, rejected{0}, bytes_in{0}, bytes_out{0},
      sent{0}, received{0}, invalidations{0}, rate_limits{0}, member_records{0}, forwarded{0},
      owner_unreachable{0}, from_successor{0}, on_demand_dials{0};
  std::atomic<std::size_t> members{1};
};

struct Sharing::Asking {
  static io::Task<cache::EntryPtr> pull_async(Sharing& self, cache::CacheKey key, Recipe recipe);
  static io::Task<Result<cache::EntryPtr>> ask(Sharing& self, wire::PeerId peer, Request request,
                                               Duration first, Duration total);
  // ask() with allow_upstream to a member in the owner role: dials it if need be (a longer first
  // deadline) and counts a connection opened for it against kMaxOnDemandConnections.
  static io::Task<Result<cache::EntryPtr>> ask_member(Sharing& self, wire::PeerId peer,
                                                      Request request);
};

// The member answered (nothing, busy, or something we refused): it is there. Anything else (no
// connection, no answer in time, a reset, another peer at its address) means it is not.
template <typename Code>
bool is_unreachable(const Code& e) {
  for (const Error answered : {Error::not_found, Error::peer_busy, Error::malformed,
                               Error::truncated, Error::too_large, Error::invalid_signature,
                               Error::unsupported, Error::cancelled}) {
    if (e == answered) return false;
  }
  return true;
}

}  // namespace ipfsa::share
