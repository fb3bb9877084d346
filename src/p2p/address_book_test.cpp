#include "p2p/address_book.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/ed25519.hpp"

namespace ipfsa::p2p {
namespace {

wire::PeerId new_peer() {
  return wire::PeerId::from_public_key(crypto::Ed25519KeyPair::generate().public_key());
}

wire::Multiaddr addr(const std::string& text) { return *wire::Multiaddr::parse(text); }

std::vector<std::string> texts(const std::vector<wire::Multiaddr>& addrs) {
  std::vector<std::string> out;
  for (const auto& a : addrs) out.push_back(a.to_string());
  return out;
}

using Texts = std::vector<std::string>;

TEST(AddressBook, EvictsTheLeastRecentlyUpdatedPeer) {
  AddressBook book(3);
  const auto p1 = new_peer(), p2 = new_peer(), p3 = new_peer(), p4 = new_peer();
  book.add(p1, {addr("/ip4/10.0.0.1/tcp/1")});
  book.add(p2, {addr("/ip4/10.0.0.2/tcp/1")});
  book.add(p3, {addr("/ip4/10.0.0.3/tcp/1")});
  book.add(p1, {addr("/ip4/10.0.0.1/tcp/2")});  // an update: p1 is now the most recent
  EXPECT_EQ(book.addrs(p2).size(), 1u);        // reading is not an update
  book.add(p4, {addr("/ip4/10.0.0.4/tcp/1")});
  EXPECT_EQ(book.size(), 3u);
  EXPECT_TRUE(book.addrs(p2).empty()) << "p2 was the least recently updated";
  EXPECT_EQ(texts(book.addrs(p1)), (Texts{"/ip4/10.0.0.1/tcp/2", "/ip4/10.0.0.1/tcp/1"}));
  EXPECT_EQ(book.addrs(p3).size(), 1u);
  book.add(new_peer(), {});  // a peer without usable addresses still takes a place
  EXPECT_TRUE(book.addrs(p3).empty());
  EXPECT_EQ(book.size(), 3u);
}

TEST(AddressBook, NewestFirstWithoutDuplicatesOrPeerIdsAndBoundedPerPeer) {
  AddressBook book;
  const auto p = new_peer();
  book.add(p, {addr("/ip4/10.0.0.1/tcp/1"), addr("/ip4/10.0.0.1/tcp/2")});
  book.add(p, {addr("/ip4/10.0.0.1/tcp/2/p2p/" + p.to_string()), addr("/ip4/10.0.0.1/tcp/3")});
  EXPECT_EQ(texts(book.addrs(p)),
            (Texts{"/ip4/10.0.0.1/tcp/2", "/ip4/10.0.0.1/tcp/3", "/ip4/10.0.0.1/tcp/1"}));
  std::vector<wire::Multiaddr> many;
  for (int i = 0; i < 40; ++i) many.push_back(addr("/ip4/10.0.1.1/tcp/" + std::to_string(100 + i)));
  book.add(p, many);
  const auto kept = book.addrs(p);
  ASSERT_EQ(kept.size(), kMaxAddrsPerPeer);
  EXPECT_EQ(kept.front().to_string(), "/ip4/10.0.1.1/tcp/100");
  book.remove(p);
  EXPECT_TRUE(book.addrs(p).empty());
  EXPECT_EQ(book.size(), 0u);
  book.remove(p);  // removing an unknown peer is a no-op
}

}  // namespace
}  // namespace ipfsa::p2p
