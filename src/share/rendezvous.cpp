#include "share/rendezvous.hpp"

#include <algorithm>

#include "crypto/sha256.hpp"

namespace ipfsa::share {

std::uint64_t rendezvous_weight(const wire::PeerId& member, std::string_view key_hash) {
  Bytes input = member.bytes();
  append(input, as_bytes(key_hash));
  const auto digest = crypto::sha256(input);
  std::uint64_t w = 0;
  for (int i = 0; i < 8; ++i) w = (w << 8) | digest[static_cast<std::size_t>(i)];
  return w;
}

std::vector<wire::PeerId> rank_members(std::string_view key_hash,
                                       std::span<const wire::PeerId> members) {
  std::vector<std::pair<std::uint64_t, const wire::PeerId*>> weighted;
  weighted.reserve(members.size());
  for (const auto& m : members) weighted.emplace_back(rendezvous_weight(m, key_hash), &m);
  std::sort(weighted.begin(), weighted.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second->bytes() < b.second->bytes();
  });
  std::vector<wire::PeerId> out;
  out.reserve(weighted.size());
  for (const auto& [w, p] : weighted) {
    if (out.empty() || !(out.back() == *p)) out.push_back(*p);
  }
  return out;
}

std::optional<wire::PeerId> owner_of(std::string_view key_hash,
                                     std::span<const wire::PeerId> members) {
  if (members.empty()) return std::nullopt;
  return rank_members(key_hash, members).front();
}

}  // namespace ipfsa::share
