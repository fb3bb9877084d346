// Multiaddr: multiformats/multiaddr README ("Encoding") and protocols.csv; libp2p addressing spec.
#include "wire/multiaddr.hpp"

#include <algorithm>

#include "wire/ip_text.hpp"
#include "wire/varint.hpp"

namespace ipfsa::wire {
namespace {

// Binary value sizes from protocols.csv; kLengthPrefixed marks a uvarint-length value.
constexpr std::size_t kLengthPrefixed = static_cast<std::size_t>(-1);
constexpr std::size_t kNoValue = 0;  // p2p-circuit

struct ProtocolInfo {
  Protocol protocol;
  std::string_view name;
  std::size_t size;       // fixed value size, or kLengthPrefixed
  std::size_t max_value;  // bound on a length-prefixed value
};

constexpr ProtocolInfo kProtocols[] = {
    {Protocol::ip4, "ip4", 4, 0},
    {Protocol::tcp, "tcp", 2, 0},
    {Protocol::udp, "udp", 2, 0},
    {Protocol::ip6, "ip6", 16, 0},
    {Protocol::dns, "dns", kLengthPrefixed, kMaxDnsNameSize},
    {Protocol::dns4, "dns4", kLengthPrefixed, kMaxDnsNameSize},
    {Protocol::dns6, "dns6", kLengthPrefixed, kMaxDnsNameSize},
    {Protocol::dnsaddr, "dnsaddr", kLengthPrefixed, kMaxDnsNameSize},
    {Protocol::p2p, "p2p", kLengthPrefixed, kMaxPeerIdSize},
    {Protocol::p2p_circuit, "p2p-circuit", kNoValue, 0},
};

const ProtocolInfo* find_code(std::uint64_t code) noexcept {
  for (const auto& p : kProtocols) {
    if (static_cast<std::uint64_t>(p.protocol) == code) return &p;
  }
  return nullptr;
}

const ProtocolInfo* find_name(std::string_view name) noexcept {
  if (name == "ipfs") name = "p2p";  // the old name of p2p, still accepted in text
  for (const auto& p : kProtocols) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const ProtocolInfo& info(Protocol protocol) noexcept {
  const ProtocolInfo* p = find_code(static_cast<std::uint64_t>(protocol));
  return p ? *p : kProtocols[0];  // Protocol only holds listed values
}

bool is_dns(Protocol p) noexcept {
  return p == Protocol::dns || p == Protocol::dns4 || p == Protocol::dns6 || p == Protocol::dnsaddr;
}

// Checks a binary value of the right size (fixed sizes are enforced by the caller).
Result<void> validate_value(Protocol protocol, ByteView value) {
  if (is_dns(protocol)) {
    // A name must survive the text form: not empty, no '/' (it would split the component).
    if (value.empty() || std::find(value.begin(), value.end(), '/') != value.end()) {
      return Error::malformed;
    }
  } else if (protocol == Protocol::p2p) {
    auto id = PeerId::from_bytes(value);
    if (!id) return id.error();
  }
  return {};
}

Result<std::uint16_t> parse_port(std::string_view text) {
  // Decimal 0..65535, digits only, no sign, no leading zeros (so text round-trips exactly).
  if (text.empty() || text.size() > 5) return Error::malformed;
  if (text.size() > 1 && text[0] == '0') return Error::malformed;
  std::uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Error::malformed;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > 0xffff) return Error::malformed;
  return static_cast<std::uint16_t>(value);
}

Result<Bytes> value_from_text(Protocol protocol, std::string_view text) {
  switch (protocol) {
    case Protocol::ip4: {
      auto ip = parse_ip4(text);
      if (!ip) return Error::malformed;
      return Bytes(ip->begin(), ip->end());
    }
    case Protocol::ip6: {
      auto ip = parse_ip6(text);
      if (!ip) return Error::malformed;
      return Bytes(ip->begin(), ip->end());
    }
    case Protocol::tcp:
    case Protocol::udp: {
      auto port = parse_port(text);
      if (!port) return port.error();
      Bytes out(2);
      store_be16(out.data(), *port);
      return out;
    }
    case Protocol::dns:
    case Protocol::dns4:
    case Protocol::dns6:
    case Protocol::dnsaddr: {
      if (text.size() > kMaxDnsNameSize) return Error::too_large;
      Bytes out = to_bytes(text);
      if (auto ok = validate_value(protocol, out); !ok) return ok.error();
      return out;
    }
    case Protocol::p2p: {
      auto id = PeerId::parse(text);
      if (!id) return id.error();
      return id->bytes();
    }
    case Protocol::p2p_circuit:
      break;  // takes no value
  }
  return Error::unknown_code;
}

std::string value_to_text(const Component& c) {
  switch (c.protocol) {
    case Protocol::ip4:
      return format_ip4({c.value[0], c.value[1], c.value[2], c.value[3]});
    case Protocol::ip6: {
      Ip6Bytes ip{};
      std::copy_n(c.value.begin(), ip.size(), ip.begin());
      return format_ip6(ip);
    }
    case Protocol::tcp:
    case Protocol::udp:
      return std::to_string(load_be16(c.value.data()));
    case Protocol::dns:
    case Protocol::dns4:
    case Protocol::dns6:
    case Protocol::dnsaddr:
      return to_string(c.value);
    case Protocol::p2p: {
      auto id = PeerId::from_bytes(c.value);
      return id ? id->to_base58() : std::string("<invalid>");
    }
    case Protocol::p2p_circuit:
      break;
  }
  return {};
}

void append_component(Bytes& out, const Component& c) {
  append_uvarint(out, static_cast<std::uint64_t>(c.protocol));
  if (info(c.protocol).size == kLengthPrefixed) append_uvarint(out, c.value.size());
  append(out, c.value);
}

}  // namespace

Result<Multiaddr> Multiaddr::parse(std::string_view text) {
  if (text.size() > kMaxMultiaddrTextSize) return Error::too_large;
  // Must start with '/' and name at least one protocol; one trailing '/' is tolerated (go-multiaddr
  // and js-multiaddr accept it), but an empty component anywhere else is not.
  if (text.size() < 2 || text[0] != '/') return Error::malformed;
  text.remove_prefix(1);
  if (text.back() == '/') text.remove_suffix(1);
  std::vector<Component> components;
  std::size_t binary_size = 0;
  while (true) {
    const std::size_t slash = text.find('/');
    const std::string_view name = text.substr(0, slash);
    if (name.empty()) return Error::malformed;
    const ProtocolInfo* p = find_name(name);
    if (!p) return Error::unknown_code;
    if (p->size == kNoValue) {  // a protocol without a value (p2p-circuit)
      if (components.size() == kMaxMultiaddrComponents) return Error::too_large;
      binary_size += uvarint_size(static_cast<std::uint64_t>(p->protocol));
      if (binary_size > kMaxMultiaddrSize) return Error::too_large;
      components.push_back({p->protocol, {}});
      if (slash == std::string_view::npos) break;
      text.remove_prefix(slash + 1);
      continue;
    }
    if (slash == std::string_view::npos) return Error::malformed;  // the others have a value
    text.remove_prefix(slash + 1);
    const std::size_t end = text.find('/');
    const std::string_view value_text = text.substr(0, end);
    if (value_text.empty()) return Error::malformed;
    if (components.size() == kMaxMultiaddrComponents) return Error::too_large;
    auto value = value_from_text(p->protocol, value_text);
    if (!value) return value.error();
    binary_size += uvarint_size(static_cast<std::uint64_t>(p->protocol)) + value->size() +
                   (p->size == kLengthPrefixed ? uvarint_size(value->size()) : 0);
    if (binary_size > kMaxMultiaddrSize) return Error::too_large;
    components.push_back({p->protocol, std::move(*value)});
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return from_components(std::move(components));
}

Result<Multiaddr> Multiaddr::from_bytes(ByteView bytes) {
  if (bytes.size() > kMaxMultiaddrSize) return Error::too_large;
  if (bytes.empty()) return Error::malformed;
  Reader r(bytes);
  std::vector<Component> components;
  while (!r.empty()) {
    if (components.size() == kMaxMultiaddrComponents) return Error::too_large;
    auto code = r.uvarint();
    if (!code) return code.error();
    const ProtocolInfo* p = find_code(*code);
    if (!p) return Error::unknown_code;
    auto value = p->size == kLengthPrefixed ? r.length_prefixed(p->max_value) : r.take(p->size);
    if (!value) return value.error();
    if (auto ok = validate_value(p->protocol, *value); !ok) return ok.error();
    components.push_back({p->protocol, Bytes(value->begin(), value->end())});
  }
  Multiaddr out;
  out.components_ = std::move(components);
  out.bytes_.assign(bytes.begin(), bytes.end());
  return out;
}

Multiaddr Multiaddr::from_components(std::vector<Component> components) {
  Multiaddr out;
  for (const auto& c : components) append_component(out.bytes_, c);
  out.components_ = std::move(components);
  return out;
}

Result<Multiaddr> Multiaddr::tcp(std::string_view ip_literal, std::uint16_t port) {
  const bool v6 = ip_literal.find(':') != std::string_view::npos;
  auto ip = value_from_text(v6 ? Protocol::ip6 : Protocol::ip4, ip_literal);
  if (!ip) return Error::malformed;
  Bytes port_bytes(2);
  store_be16(port_bytes.data(), port);
  return from_components({{v6 ? Protocol::ip6 : Protocol::ip4, std::move(*ip)},
                          {Protocol::tcp, std::move(port_bytes)}});
}

std::string Multiaddr::to_string() const {
  std::string out;
  for (const auto& c : components_) {
    out.push_back('/');
    out += info(c.protocol).name;
    if (info(c.protocol).size == kNoValue) continue;
    out.push_back('/');
    out += value_to_text(c);
  }
  return out;
}

std::optional<PeerId> Multiaddr::peer_id() const {
  if (components_.empty() || components_.back().protocol != Protocol::p2p) return std::nullopt;
  auto id = PeerId::from_bytes(components_.back().value);
  if (!id) return std::nullopt;
  return *id;
}

Multiaddr Multiaddr::without_peer_id() const {
  if (components_.empty() || components_.back().protocol != Protocol::p2p) return *this;
  std::vector<Component> rest(components_.begin(), components_.end() - 1);
  return from_components(std::move(rest));
}

Multiaddr Multiaddr::with_peer_id(const PeerId& id) const {
  std::vector<Component> components = without_peer_id().components_;
  components.push_back({Protocol::p2p, id.bytes()});
  return from_components(std::move(components));
}

bool Multiaddr::is_relayed() const noexcept {
  return std::any_of(components_.begin(), components_.end(),
                     [](const Component& c) { return c.protocol == Protocol::p2p_circuit; });
}

std::optional<Circuit> Multiaddr::circuit() const {
  const auto& c = components_;
  auto at = std::find_if(c.begin(), c.end(),
                         [](const Component& x) { return x.protocol == Protocol::p2p_circuit; });
  if (at == c.end() || at == c.begin() || std::prev(at)->protocol != Protocol::p2p) {
    return std::nullopt;
  }
  Circuit out;
  out.relay = from_components(std::vector<Component>(c.begin(), at));
  const auto rest = std::distance(at, c.end());
  if (rest == 2 && std::next(at)->protocol == Protocol::p2p) {
    auto id = PeerId::from_bytes(std::next(at)->value);
    if (!id) return std::nullopt;
    out.target = *id;
  } else if (rest != 1) {
    return std::nullopt;
  }
  return out;
}

std::optional<TcpTarget> Multiaddr::tcp_target() const {
  const auto& c = components_;
  if (c.size() < 2 || c.size() > 3 || c[1].protocol != Protocol::tcp) return std::nullopt;
  if (c.size() == 3 && c[2].protocol != Protocol::p2p) return std::nullopt;
  TcpTarget target{TcpTarget::Kind::ip4, value_to_text(c[0]), load_be16(c[1].value.data())};
  switch (c[0].protocol) {
    case Protocol::ip4:
      target.kind = TcpTarget::Kind::ip4;
      break;
    case Protocol::ip6:
      target.kind = TcpTarget::Kind::ip6;
      break;
    case Protocol::dns:
      target.kind = TcpTarget::Kind::dns;
      break;
    case Protocol::dns4:
      target.kind = TcpTarget::Kind::dns4;
      break;
    case Protocol::dns6:
      target.kind = TcpTarget::Kind::dns6;
      break;
    default:
      return std::nullopt;  // dnsaddr needs a TXT lookup first; p2p alone is no address
  }
  return target;
}

}  // namespace ipfsa::wire
