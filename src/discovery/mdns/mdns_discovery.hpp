// libp2p mDNS discovery on the local network (docs/wire/mdns.md): one UDP socket on
// 0.0.0.0:5353 (SO_REUSEADDR + SO_REUSEPORT, so it shares the port with avahi, js-libp2p and other
// nodes on the host) joined to 224.0.0.251 on every up, multicast-capable IPv4 interface, plus a
// best-effort [::]:5353 socket joined to ff02::fb. It multicasts the "_p2p._udp.local" PTR query
// at start() and every query_interval, answers such queries with the addresses `addresses()`
// returns at that moment (so it follows the Host's listen addresses), and reports the peers that
// other nodes' responses announce through `on_peer`, once per peer until its address set changes
// or rereport_interval passes.
//
//   MdnsDiscovery mdns(context, host.peer_id(), [&] { return host.listen_addrs(); },
//                      [&](const wire::PeerId& id, const std::vector<wire::Multiaddr>& addrs) {
//                        host.address_book().add(id, addrs); ... });
//   if (auto ok = mdns.start(); !ok) { /* logged; the node runs on without mDNS */ }
//
// Single-threaded: construct, start(), stop() and destroy on the io_context's thread; callbacks
// run there and must not throw. on_peer may call stop() or destroy the MdnsDiscovery. After stop()
// no callback runs again. The io_context must outlive the object's coroutines (until it has run
// once after stop(), or is destroyed).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "proto/mdns/peer_table.hpp"
#include "wire/multiaddr.hpp"
#include "wire/peer_id.hpp"

namespace boost::asio {
class io_context;
}

namespace ipfsa::discovery {

inline constexpr std::uint16_t kMdnsPort = 5353;
inline constexpr std::string_view kMdnsGroupV4 = "224.0.0.251";
inline constexpr std::string_view kMdnsGroupV6 = "ff02::fb";
inline constexpr Duration kDefaultQueryInterval = std::chrono::seconds(10);  // js-libp2p's default
// RFC 6762 6: the least time between two multicasts of our response.
inline constexpr Duration kMinMulticastResponseInterval = std::chrono::seconds(1);
// Interfaces we join the group on and send through (per address family).
inline constexpr std::size_t kMaxMdnsInterfaces = 32;

struct MdnsConfig {
  Duration query_interval = kDefaultQueryInterval;
  Duration rereport_interval = proto::mdns::kDefaultRereportInterval;
  // Queries inside this window after a multicast response share one deferred response.
  Duration min_response_interval = kMinMulticastResponseInterval;
  std::uint16_t port = kMdnsPort;
  bool ipv6 = true;       // also try ff02::fb on [::]:port (failures only logged)
  std::string peer_name;  // our instance label; empty: kPeerNameLength random [a-z0-9]
};

class MdnsDiscovery {
 public:
  using AddressSource = std::function<std::vector<wire::Multiaddr>()>;
  using PeerHandler = std::function<void(const wire::PeerId&, const std::vector<wire::Multiaddr>&)>;

  MdnsDiscovery(boost::asio::io_context& context, wire::PeerId self, AddressSource addresses,
                PeerHandler on_peer, MdnsConfig config = {});
  ~MdnsDiscovery();  // stop()
  MdnsDiscovery(const MdnsDiscovery&) = delete;
  MdnsDiscovery& operator=(const MdnsDiscovery&) = delete;

  // Opens the socket(s), joins the group and starts querying and answering. Errors (each logged
  // as a warning that says mDNS is off, with the socket error): io_failure (the IPv4 socket cannot
  // be opened, bound - e.g. port 5353 taken without SO_REUSEADDR - or joined to the group on any
  // interface), invalid_state (already started, or stopped: an MdnsDiscovery runs once).
  Result<void> start();
  // Closes the sockets and stops the timers. Idempotent.
  void stop();

  bool running() const noexcept;
  const std::string& peer_name() const noexcept { return config_.peer_name; }

 private:
  struct Running;
  boost::asio::io_context& context_;
  wire::PeerId self_;
  AddressSource addresses_;
  PeerHandler on_peer_;
  MdnsConfig config_;
  std::shared_ptr<Running> running_;
  bool started_ = false;
};

}  // namespace ipfsa::discovery
