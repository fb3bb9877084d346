// The I/O shell around proto/mdns: sockets, group membership, the query timer and the peers table.
// RFC 6762 5 (multicast on 224.0.0.251 / ff02::fb port 5353), 6 (responding), 11 (TTL 255).
#include "discovery/mdns/mdns_discovery.hpp"

#include <ifaddrs.h>
#include <net/if.h>

#include <array>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <optional>
#include <set>

#include "base/log.hpp"
#include "crypto/random.hpp"
#include "io/asio.hpp"
#include "proto/mdns/discovery.hpp"
#include "proto/mdns/dns_message.hpp"

namespace ipfsa::discovery {
namespace {

namespace asio = io::asio;
using udp = asio::ip::udp;
namespace mdns = proto::mdns;

struct Interfaces {
  std::vector<asio::ip::address_v4> v4;  // one address per interface
  std::vector<unsigned> v6;              // interface indexes with an IPv6 address
};

// Up, multicast-capable interfaces (loopback included: in a network namespace it is the LAN).
Interfaces multicast_interfaces() {
  Interfaces out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  std::set<std::string> v4_names;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0 ||
        (i->ifa_flags & IFF_MULTICAST) == 0)
      continue;
    if (i->ifa_addr->sa_family == AF_INET && out.v4.size() < kMaxMdnsInterfaces &&
        v4_names.insert(i->ifa_name).second) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      out.v4.push_back(asio::ip::address_v4(ntohl(sin->sin_addr.s_addr)));
    } else if (i->ifa_addr->sa_family == AF_INET6 && out.v6.size() < kMaxMdnsInterfaces) {
      const unsigned index = if_nametoindex(i->ifa_name);
      if (index != 0 && std::find(out.v6.begin(), out.v6.end(), index) == out.v6.end())
        out.v6.push_back(index);
    }
  }
  freeifaddrs(list);
  return out;
}

}  // namespace

struct MdnsDiscovery::Running : std::enable_shared_from_this<Running> {
  Running(asio::io_context& context, const MdnsDiscovery& owner)
      : self(owner.self_),
        addresses(owner.addresses_),
        on_peer(owner.on_peer_),
        config(owner.config_),
        table(owner.config_.rereport_interval),
        v4(context),
        v6(context),
        timer(context),
        response_timer(context) {}

  wire::PeerId self;
  AddressSource addresses;
  PeerHandler on_peer;
  MdnsConfig config;
  mdns::PeerTable table;
  udp::socket v4;
  udp::socket v6;
  asio::steady_timer timer;
  asio::steady_timer response_timer;
  std::optional<TimePoint> last_multicast_response;
  bool response_scheduled = false;
  std::vector<asio::ip::address_v4> joined_v4;  // empty + v4_any_joined: joined on the default
  bool v4_any_joined = false;
  std::vector<unsigned> joined_v6;
  bool stopped = false;

  udp::endpoint group_v4() const { return {asio::ip::make_address_v4(kMdnsGroupV4), config.port}; }
  udp::endpoint group_v6() const { return {asio::ip::make_address_v6(kMdnsGroupV6), config.port}; }

  // Joins the group on interfaces not joined yet (called at start and before every query, so
  // interfaces that come up later are picked up, as multicast-dns does every 5 s).
  void join_new_interfaces() {
    const auto now = multicast_interfaces();
    for (const auto& addr : now.v4) {
      if (std::find(joined_v4.begin(), joined_v4.end(), addr) != joined_v4.end()) continue;
      boost::system::error_code ec;
      v4.set_option(asio::ip::multicast::join_group(group_v4().address().to_v4(), addr), ec);
      if (ec && ec != boost::system::errc::address_in_use) {
        log::debug("mDNS: cannot join {} on {}: {}", kMdnsGroupV4, addr.to_string(), ec.message());
        continue;
      }
      joined_v4.push_back(addr);
    }
    if (joined_v4.empty() && !v4_any_joined) {
      boost::system::error_code ec;
      v4.set_option(asio::ip::multicast::join_group(group_v4().address()), ec);
      v4_any_joined = !ec;
    }
    if (!v6.is_open()) return;
    for (unsigned index : now.v6) {
      if (std::find(joined_v6.begin(), joined_v6.end(), index) != joined_v6.end()) continue;
      boost::system::error_code ec;
      v6.set_option(asio::ip::multicast::join_group(group_v6().address().to_v6(), index), ec);
      if (ec && ec != boost::system::errc::address_in_use) continue;
      joined_v6.push_back(index);
    }
  }

  // UDP sends do not block (non-blocking sockets); a full buffer drops the datagram, as the
  // network would.
  void send_to(udp::socket& socket, ByteView packet, const udp::endpoint& to) {
    boost::system::error_code ec;
    socket.send_to(asio::buffer(packet.data(), packet.size()), to, 0, ec);
    if (ec)
      log::debug("mDNS: send to {}:{} failed: {}", to.address().to_string(), to.port(),
                 ec.message());
  }

  // Multicasts through every joined interface.
  void multicast(ByteView packet) {
    for (const auto& addr : joined_v4) {
      boost::system::error_code ec;
      v4.set_option(asio::ip::multicast::outbound_interface(addr), ec);
      if (!ec) send_to(v4, packet, group_v4());
    }
    if (joined_v4.empty() && v4_any_joined) send_to(v4, packet, group_v4());
    if (!v6.is_open()) return;
    for (unsigned index : joined_v6) {
      boost::system::error_code ec;
      v6.set_option(asio::ip::multicast::outbound_interface(index), ec);
      if (!ec) send_to(v6, packet, group_v6());
    }
  }

  void handle(udp::socket& socket, ByteView packet, const udp::endpoint& from) {
    auto message = mdns::decode(packet);
    if (!message) {
      log::trace("mDNS: dropped a packet from {}: {}", from.address().to_string(),
                 message.error().message());
      return;
    }
    if (message->is_response()) {
      for (auto& peer : mdns::parse_response(*message, self)) {
        if (!table.observe(peer, Clock::now())) continue;
        log::debug("mDNS: found {} ({} addresses)", peer.id.to_string(), peer.addrs.size());
        on_peer(peer.id, peer.addrs);
        if (stopped) return;  // on_peer stopped us
      }
      return;
    }
    auto query = mdns::match_service_query(*message);
    if (!query) return;
    // RFC 6762 6.7: a query from a port other than 5353 comes from a one-shot resolver that
    // only hears unicast replies carrying its query ID. 5.4: the QU bit asks for unicast too.
    if (from.port() != config.port) {
      auto response = mdns::build_legacy_response(*message, config.peer_name, self, addresses());
      if (response) send_to(socket, *response, from);
      return;
    }
    if (query->unicast) {
      auto response = mdns::build_response(config.peer_name, self, addresses());
      if (response) send_to(socket, *response, from);
      return;
    }
    respond_by_multicast();
  }

  // RFC 6762 6: the same records are multicast at most once per min_response_interval. A query
  // inside that window gets one deferred response at its end (however many queries arrive), so
  // a peer that just started still hears us, and a query flood costs one response per interval.
  void respond_by_multicast() {
    const auto now = Clock::now();
    if (!last_multicast_response ||
        now >= *last_multicast_response + config.min_response_interval) {
      multicast_response_now();
      return;
    }
    if (response_scheduled) return;
    response_scheduled = true;
    response_timer.expires_at(*last_multicast_response + config.min_response_interval);
    response_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->response_scheduled = false;
      if (!ec && !self->stopped) self->multicast_response_now();
    });
  }

  void multicast_response_now() {
    auto response = mdns::build_response(config.peer_name, self, addresses());
    if (!response) return;  // nothing to announce yet
    last_multicast_response = Clock::now();
    multicast(*response);
  }

  static io::Task<void> receive_loop(std::shared_ptr<Running> r, udp::socket& socket) {
    // One byte more than the largest packet we accept, so an oversized datagram shows as such
    // (the kernel truncates it to the buffer) and decode() rejects it.
    std::vector<std::uint8_t> buffer(mdns::kMaxMdnsPacketBytes + 1);
    std::size_t consecutive_errors = 0;
    while (!r->stopped) {
      udp::endpoint from;
      auto [ec, n] = co_await socket.async_receive_from(asio::buffer(buffer), from, io::kNoThrow);
      if (r->stopped || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // ICMP errors surface here on UDP sockets; keep listening unless the socket is broken.
        log::debug("mDNS: receive failed: {}", ec.message());
        if (++consecutive_errors == 100) {
          log::warn("mDNS: receive keeps failing ({}); discovery stopped", ec.message());
          co_return;
        }
        continue;
      }
      consecutive_errors = 0;
      r->handle(socket, ByteView(buffer.data(), n), from);
    }
  }

  static io::Task<void> query_loop(std::shared_ptr<Running> r) {
    const Bytes query = mdns::build_query();
    while (!r->stopped) {
      r->join_new_interfaces();
      r->multicast(query);
      r->timer.expires_after(r->config.query_interval);
      co_await r->timer.async_wait(io::kNoThrow);
    }
  }
};

MdnsDiscovery::MdnsDiscovery(boost::asio::io_context& context, wire::PeerId self,
                             AddressSource addresses, PeerHandler on_peer, MdnsConfig config)
    : context_(context),
      self_(std::move(self)),
      addresses_(std::move(addresses)),
      on_peer_(std::move(on_peer)),
      config_(std::move(config)) {
  if (config_.peer_name.empty()) {
    config_.peer_name = mdns::peer_name_from(crypto::random_bytes(mdns::kPeerNameLength));
  }
}

MdnsDiscovery::~MdnsDiscovery() { stop(); }

bool MdnsDiscovery::running() const noexcept { return running_ && !running_->stopped; }

Result<void> MdnsDiscovery::start() {
  if (started_) return Error::invalid_state;
  started_ = true;
  auto r = std::make_shared<Running>(context_, *this);
  // Each failure names the step and the socket error ("mDNS disabled: cannot bind 0.0.0.0 on
  // port 5353: Address already in use"); the caller carries on without mDNS.
  auto fail = [&](std::string_view what, const boost::system::error_code& ec) -> Result<void> {
    log::warn("mDNS disabled: cannot {} on port {}: {}", what, config_.port, ec.message());
    boost::system::error_code ignored;
    r->v4.close(ignored);
    r->v6.close(ignored);
    return Error::io_failure;
  };
  boost::system::error_code ec;
  r->v4.open(udp::v4(), ec);
  if (ec) return fail("open a UDP socket", ec);
  r->v4.set_option(udp::socket::reuse_address(true), ec);
  if (!ec) {
    const int on = 1;  // as libuv does for node's dgram reuseAddr on Linux
    ::setsockopt(r->v4.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  }
  r->v4.bind(udp::endpoint(asio::ip::address_v4::any(), config_.port), ec);
  if (ec) return fail("bind 0.0.0.0", ec);
  r->v4.set_option(asio::ip::multicast::hops(255), ec);
  r->v4.set_option(asio::ip::multicast::enable_loopback(true), ec);
  r->v4.non_blocking(true, ec);
  if (config_.ipv6) {
    r->v6.open(udp::v6(), ec);
    if (!ec) r->v6.set_option(asio::ip::v6_only(true), ec);
    if (!ec) r->v6.set_option(udp::socket::reuse_address(true), ec);
    if (!ec) {
      const int on = 1;
      ::setsockopt(r->v6.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
      r->v6.bind(udp::endpoint(asio::ip::address_v6::any(), config_.port), ec);
    }
    if (!ec) r->v6.set_option(asio::ip::multicast::hops(255), ec);
    if (!ec) r->v6.set_option(asio::ip::multicast::enable_loopback(true), ec);
    if (!ec) r->v6.non_blocking(true, ec);
    if (ec) {
      log::debug("mDNS: no IPv6 ({}); IPv4 only", ec.message());
      boost::system::error_code ignored;
      r->v6.close(ignored);
    }
  }
  r->join_new_interfaces();
  if (r->joined_v4.empty() && !r->v4_any_joined) {
    return fail("join 224.0.0.251 on any interface",
                make_error_code(boost::system::errc::no_such_device));
  }
  log::info("mDNS: discovery on {}:{} ({} IPv4 interfaces{}), as {}", kMdnsGroupV4, config_.port,
            r->joined_v4.size(), r->v6.is_open() ? ", IPv6" : "", config_.peer_name);
  running_ = r;
  asio::co_spawn(context_, Running::receive_loop(r, r->v4), asio::detached);
  if (r->v6.is_open()) asio::co_spawn(context_, Running::receive_loop(r, r->v6), asio::detached);
  asio::co_spawn(context_, Running::query_loop(r), asio::detached);
  return {};
}

void MdnsDiscovery::stop() {
  if (!running_ || running_->stopped) return;
  running_->stopped = true;
  boost::system::error_code ignored;
  running_->timer.cancel();
  running_->response_timer.cancel();
  running_->v4.close(ignored);
  running_->v6.close(ignored);
}

}  // namespace ipfsa::discovery
