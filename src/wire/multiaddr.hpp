// Multiaddr (multiformats/multiaddr) in text ("/ip4/127.0.0.1/tcp/9100/p2p/12D3...") and binary
// (varint code + value) form. Supported protocols: ip4 (4), tcp (6), udp (273), dns (53),
// dns4 (54), dns6 (55), dnsaddr (56), ip6 (41), p2p (421; text may also say "ipfs"),
// p2p-circuit (290, no value: "/ip4/R/tcp/P/p2p/RELAY/p2p-circuit/p2p/TARGET" is TARGET through RELAY).
// Unknown codes/names are errors (unknown_code), never guesses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::wire {

inline constexpr std::size_t kMaxMultiaddrSize = 1024;  // binary bytes
inline constexpr std::size_t kMaxMultiaddrComponents = 16;
inline constexpr std::size_t kMaxDnsNameSize = 255;
// Text we read: the binary bound above, expanded by base58 (p2p) and protocol names.
inline constexpr std::size_t kMaxMultiaddrTextSize = 2048;

enum class Protocol : std::uint32_t {
  ip4 = 4,
  tcp = 6,
  dns = 53,
  dns4 = 54,
  dns6 = 55,
  dnsaddr = 56,
  ip6 = 41,
  udp = 273,
  p2p = 421,
  p2p_circuit = 290,
};

struct Component {
  Protocol protocol;
  Bytes
      value;  // binary value without its varint length (ip bytes, 2-byte BE port, name, multihash)
  friend bool operator==(const Component&, const Component&) = default;
};

// Where a TCP multiaddr points, without any socket type.
struct TcpTarget {
  enum class Kind { ip4, ip6, dns, dns4, dns6 } kind;
  std::string host;  // dotted/colon text for ip4/ip6, the name for dns*
  std::uint16_t port;
};

struct Circuit;

class Multiaddr {
 public:
  Multiaddr() = default;  // empty: to_string() is "", bytes() is empty
  // "/proto/value/...", one trailing '/' tolerated. Errors: malformed (no leading '/', empty
  // component, missing value, bad IP/port/name/peer ID), unknown_code (protocol name we do not
  // speak), too_large (text above kMaxMultiaddrTextSize, binary above kMaxMultiaddrSize, more than
  // kMaxMultiaddrComponents components, DNS name above kMaxDnsNameSize), and PeerId::parse errors.
  static Result<Multiaddr> parse(std::string_view text);
  // Errors: truncated, malformed (empty input, bad value), non_canonical (varint), unknown_code,
  // too_large (as parse, checked before decoding), and PeerId::from_bytes errors for /p2p.
  static Result<Multiaddr> from_bytes(ByteView bytes);
  // REQUIRES: every value valid for its protocol (as from_bytes would accept).
  static Multiaddr from_components(std::vector<Component> components);
  // "/ip4/a.b.c.d/tcp/port" or "/ip6/.../tcp/port". Errors: malformed (not an IP literal).
  static Result<Multiaddr> tcp(std::string_view ip_literal, std::uint16_t port);

  std::string to_string() const;
  const Bytes& bytes() const noexcept { return bytes_; }
  const std::vector<Component>& components() const noexcept { return components_; }
  bool empty() const noexcept { return components_.empty(); }

  // The trailing /p2p/<id>, if present and valid.
  std::optional<PeerId> peer_id() const;
  Multiaddr with_peer_id(const PeerId& id) const;  // replaces or appends /p2p
  Multiaddr without_peer_id() const;
  // For <ip4|ip6|dns|dns4|dns6>/tcp/<port>[/p2p/..]; nullopt for anything else.
  std::optional<TcpTarget> tcp_target() const;
  // Whether the address goes through a relay (has a /p2p-circuit component).
  bool is_relayed() const noexcept;
  // For <relay address>/p2p/<relay id>/p2p-circuit[/p2p/<target>]: the relay's address (with its
  // /p2p) and the target, if named. nullopt when the address is not relayed this way.
  std::optional<struct Circuit> circuit() const;

  friend bool operator==(const Multiaddr& a, const Multiaddr& b) { return a.bytes_ == b.bytes_; }

 private:
  std::vector<Component> components_;
  Bytes bytes_;
};

// What Multiaddr::circuit() takes apart.
struct Circuit {
  Multiaddr relay;  // ends with /p2p/<relay id>
  std::optional<PeerId> target;
};

}  // namespace ipfsa::wire
