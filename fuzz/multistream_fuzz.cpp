// Feeds arbitrary bytes to a multistream-select Listener and Dialer, in chunks whose sizes come
// from the input, and checks the invariants the I/O shell relies on: no crash, an error is final,
// every byte after the accepting line is handed over, and what we send is readable by a peer.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/multistream/multistream.hpp"

namespace ms = ipfsa::proto::multistream;
using ipfsa::Bytes;
using ipfsa::ByteView;

namespace {

const ipfsa::TimePoint kNow{};

void check(bool ok) {
  if (!ok) std::abort();
}

// Every message we send parses with the same limits we impose on peers.
void check_outgoing(const Bytes& out) {
  ipfsa::wire::LengthPrefixedReader reader(ms::kMaxMessageSize);
  ByteView view(out);
  while (!view.empty()) {
    auto message = reader.read(view);
    check(message && message->has_value());
    check(ms::parse_message(**message).has_value());
  }
}

template <class Negotiator>
void run(Negotiator& n, ByteView data, std::uint8_t chunk_seed) {
  Bytes out;
  n.poll_transmit(out);
  std::size_t pos = 0;
  bool failed = false;
  Bytes handed_over;
  std::size_t done_at = 0;  // input offset of the first byte after the accepting line
  while (pos < data.size()) {
    const std::size_t chunk = std::min<std::size_t>(1 + (chunk_seed + pos) % 37, data.size() - pos);
    const bool was_done = n.done();
    auto r = n.handle_input(data.subspan(pos, chunk), kNow);
    if (!r) {
      check(!failed || r.error() == ipfsa::Error::invalid_state);
      failed = true;
      check(n.handle_input(data.first(1), kNow).error() == ipfsa::Error::invalid_state);
      break;
    }
    if (!was_done && n.done()) {
      Bytes rest = n.take_remaining();
      done_at = pos + chunk - rest.size();
      handed_over = std::move(rest);
    } else if (n.done()) {
      ipfsa::append(handed_over, n.take_remaining());
    }
    n.poll_transmit(out);
    pos += chunk;
  }
  check_outgoing(out);
  if (n.done() && !failed) {
    check(handed_over.size() == data.size() - done_at);
    check(std::equal(handed_over.begin(), handed_over.end(), data.begin() + done_at));
    check(!n.protocol().empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t seed = data[0];
  const ByteView input(data + 1, size - 1);
  {
    ms::Listener listener({"/noise", "/yamux/1.0.0", "/ipfs/id/1.0.0"});
    run(listener, input, seed);
  }
  {
    ms::Dialer dialer({"/tls/1.0.0", "/noise"});
    run(dialer, input, seed);
  }
  return 0;
}
