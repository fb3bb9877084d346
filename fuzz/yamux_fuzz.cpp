// Drives a yamux Session (either role) with arbitrary peer bytes interleaved with application
// commands and clock steps taken from the input, and checks what the I/O shell relies on: no
// crash or sanitizer report, an error is final, what we send is a clean sequence of frames, and
// no stream ever holds more unconsumed data than its receive window.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <vector>

#include "proto/yamux/session.hpp"

namespace yamux = ipfsa::proto::yamux;
using ipfsa::Bytes;
using ipfsa::ByteView;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

struct Input {
  ByteView data;
  std::size_t pos = 0;
  bool empty() const { return pos >= data.size(); }
  std::uint8_t byte() { return empty() ? 0 : data[pos++]; }
  ByteView take(std::size_t n) {
    n = std::min(n, data.size() - pos);
    ByteView v = data.subspan(pos, n);
    pos += n;
    return v;
  }
};

// Everything we send is whole frames with valid headers; data payloads are within limits.
void check_outgoing(ByteView out) {
  while (!out.empty()) {
    auto h = yamux::decode_header(out);
    check(h.has_value());
    std::size_t size = yamux::kHeaderSize;
    if (h->type == yamux::FrameType::data) {
      check(h->length <= yamux::kMaxFramePayload);
      size += h->length;
    } else {
      check(h->type != yamux::FrameType::ping || h->stream == 0);
    }
    check(out.size() >= size);
    out = out.subspan(size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Bytes payload(64 * 1024, 0xab);
  Input in{ByteView(data, size)};
  const std::uint8_t setup = in.byte();
  yamux::Config config;
  config.max_streams = 1 + (setup >> 2) % 8;
  if ((setup & 2) == 0) config.keepalive_interval = ipfsa::Duration::zero();
  ipfsa::TimePoint now{std::chrono::hours(1)};
  yamux::Session session((setup & 1) ? yamux::Role::server : yamux::Role::client, config, now);

  std::vector<yamux::StreamId> ids;                   // streams we heard of, for commands
  std::map<yamux::StreamId, std::size_t> unconsumed;  // delivered minus consumed
  boost::system::error_code failed;
  Bytes out;

  while (!in.empty()) {
    const std::uint8_t op = in.byte();
    const std::uint8_t arg = in.byte();
    const yamux::StreamId id = ids.empty() || (arg & 0x80) ? (arg & 0x0f) : ids[arg % ids.size()];
    switch (op % 12) {
      case 0:
      case 1:
      case 2:
      case 3: {
        auto r = session.handle_input(in.take(1 + arg * 4), now);
        if (failed) check(!r && r.error() == failed);
        if (!r) failed = r.error();
        check(session.error() == failed);
        break;
      }
      case 4:
        if (auto id_opened = session.open_stream()) ids.push_back(*id_opened);
        break;
      case 5: {
        const std::size_t n = std::size_t{arg} * 257;
        if (auto taken = session.write(id, ByteView(payload).first(n))) check(*taken <= n);
        break;
      }
      case 6:
        (void)session.close_write(id);
        break;
      case 7:
        session.reset(id);
        break;
      case 8: {
        const std::size_t n = std::size_t{arg} * 1000;
        session.consumed(id, n);
        auto& u = unconsumed[id];
        u -= std::min(u, n);
        break;
      }
      case 9:
        now += std::chrono::milliseconds(arg) * 100;
        session.handle_timeout(now);
        break;
      case 10:
        (void)session.ping(now);
        break;
      default:
        if (arg == 0) session.go_away(arg);
        break;
    }
    out.clear();
    session.poll_transmit(out);
    check_outgoing(out);
    check(!session.has_outgoing());
    while (auto e = session.poll()) {
      if (e->kind == yamux::Event::Kind::inbound_stream) {
        ids.push_back(e->stream);
        unconsumed[e->stream] = 0;  // a freed id may be opened again
      }
      if (e->kind == yamux::Event::Kind::data) {
        check(!e->data.empty());
        unconsumed[e->stream] += e->data.size();
      }
      if (e->kind == yamux::Event::Kind::reset) unconsumed.erase(e->stream);
    }
    for (const auto& [sid, u] : unconsumed) {
      if (session.is_open(sid)) check(u <= session.receive_window(sid));
    }
    check(session.stream_count() <= 2 * config.max_streams);
    if (ids.size() > 64) ids.erase(ids.begin(), ids.begin() + 32);
  }
  return 0;
}
