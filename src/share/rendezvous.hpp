// Key ownership by rendezvous (highest-random-weight) hashing: every member computes the same owner
// for a key from the same member list, and when a member leaves only its keys move. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "wire/peer_id.hpp"

namespace ipfsa::share {

// Weight of `member` for `key_hash`: the first 8 bytes of sha256(peer id bytes || key hash text),
// big-endian. Ties (practically impossible) go to the smaller peer ID bytes.
std::uint64_t rendezvous_weight(const wire::PeerId& member, std::string_view key_hash);
// The owner of `key_hash` among `members`; nullopt when there are none.
std::optional<wire::PeerId> owner_of(std::string_view key_hash,
                                     std::span<const wire::PeerId> members);
// `members` ordered by descending weight (the owner first, then the successors to try).
std::vector<wire::PeerId> rank_members(std::string_view key_hash,
                                       std::span<const wire::PeerId> members);

}  // namespace ipfsa::share
