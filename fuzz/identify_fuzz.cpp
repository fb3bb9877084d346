// identify::decode on arbitrary bytes: never crashes, respects its bounds, and whatever it
// accepts re-encodes to something that decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/identify/identify.hpp"

namespace id = ipfsa::proto::identify;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = id::decode(ipfsa::ByteView(data, size));
  if (!m) return 0;
  if (m->listen_addrs.size() > id::kMaxListenAddrs || m->protocols.size() > id::kMaxProtocols) {
    std::abort();
  }
  const ipfsa::Bytes again = id::encode(*m);
  if (again.size() > size) std::abort();  // dropping unknown/duplicate fields never grows it
  auto back = id::decode(again);
  if (!back || !(*back == *m)) std::abort();
  id::Identify merged = *m;
  id::merge(merged, *m);
  if (merged.listen_addrs.size() > id::kMaxListenAddrs) std::abort();
  return 0;
}
