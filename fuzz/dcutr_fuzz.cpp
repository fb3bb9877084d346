// dcutr on arbitrary bytes: decode() never crashes, respects its bounds and round-trips what it
// accepts; both engines, fed the same bytes in chunks the input chooses (with `now` advancing and
// every due timeout fired), never crash, emit only non-empty address lists, stop after an error,
// and keep what they send within kMaxMessageSize.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "proto/dcutr/dcutr.hpp"
#include "wire/length_prefixed.hpp"

namespace dcutr = ipfsa::proto::dcutr;
using ipfsa::Bytes;
using ipfsa::ByteView;
using ipfsa::TimePoint;

namespace {

const std::vector<ipfsa::wire::Multiaddr>& own_addrs() {
  static const std::vector<ipfsa::wire::Multiaddr> addrs = {
      *ipfsa::wire::Multiaddr::parse("/ip4/93.184.216.34/tcp/4001")};
  return addrs;
}

// Everything an engine queued parses as framed messages within the bound.
void check_sent(auto& engine) {
  Bytes out;
  while (engine.poll_transmit(out)) {
  }
  ipfsa::wire::LengthPrefixedReader reader(dcutr::kMaxMessageSize);
  ByteView in(out);
  while (!in.empty()) {
    auto m = reader.read(in);
    if (!m || !*m || !dcutr::decode(**m)) std::abort();
  }
}

void check_events(auto& engine, auto&& on_event) {
  while (auto e = engine.poll()) {
    const bool has_addrs = e->kind != dcutr::DcutrEvent::Kind::timed_out;
    if (has_addrs && e->addrs.empty()) std::abort();
    on_event(*e);
  }
}

// Feeds `data` to `engine` in chunks whose sizes come from `sizes`, 7 ms apart.
template <class E, class OnEvent>
void drive(E& engine, ByteView data, ByteView sizes, TimePoint now, OnEvent&& on_event) {
  std::size_t k = 0;
  bool failed = false;
  while (!data.empty()) {
    const std::size_t n =
        std::min<std::size_t>(data.size(), sizes.empty() ? 1 : sizes[k++ % sizes.size()] + 1);
    now += std::chrono::milliseconds(7);
    auto r = engine.handle_input(data.first(n), now);
    if (failed && r) std::abort();  // errors are final
    failed = failed || !r;
    data = data.subspan(n);
    if (auto t = engine.poll_timeout(); t && *t <= now) engine.handle_timeout(now);
    check_events(engine, on_event);
    check_sent(engine);
  }
  if (auto t = engine.poll_timeout()) engine.handle_timeout(*t);
  check_events(engine, on_event);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView in(data, size);
  if (auto m = dcutr::decode(in)) {
    if (m->obs_addrs.size() > dcutr::kMaxAddrs) std::abort();
    for (const Bytes& a : m->obs_addrs) {
      if (a.size() > dcutr::kMaxAddrSize) std::abort();
    }
    const Bytes again = dcutr::encode(*m);
    auto back = dcutr::decode(again);
    if (!back || !(*back == *m)) std::abort();
    (void)dcutr::dialable_addrs(m->obs_addrs, dcutr::AddrFilter{});
  }
  // Engines: the first byte's low bits pick the chunk sizes' share of the input.
  if (size < 2) return 0;
  const std::size_t split = 1 + data[0] % 8;
  const ByteView sizes = in.subspan(1, std::min(split, size - 1));
  const ByteView body = in.subspan(1 + sizes.size());
  const TimePoint t0 = TimePoint{} + std::chrono::hours(1);
  const dcutr::AddrFilter filter{.remote = std::nullopt, .allow_private = (data[0] & 0x80) != 0};

  dcutr::Initiator b(filter);
  if (!b.start(own_addrs(), t0)) std::abort();
  check_sent(b);
  drive(b, body, sizes, t0, [&](const dcutr::DcutrEvent& e) {
    if (e.kind == dcutr::DcutrEvent::Kind::dial) (void)b.start(own_addrs(), t0);
  });

  dcutr::Responder a(t0, filter);
  drive(a, body, sizes, t0, [&](const dcutr::DcutrEvent& e) {
    if (e.kind == dcutr::DcutrEvent::Kind::connect && !a.respond(own_addrs(), t0)) std::abort();
  });
  if (a.rounds() > dcutr::kMaxAttempts || b.attempts() > dcutr::kMaxAttempts) std::abort();
  return 0;
}
