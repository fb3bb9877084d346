// Fuzzes the cache's pure codecs: REST and GraphQL keys from arbitrary request parts, canonical
// JSON, TTL rule files and stored entry metadata. Invariants: no crash; a key never keeps a
// credential-bearing query; canonical JSON is deterministic; accepted meta re-encodes to itself.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cache/entry.hpp"
#include "cache/key.hpp"
#include "cache/ttl_policy.hpp"

using namespace ipfsa;

namespace {

// Splits the input at 0x00 bytes into up to n parts.
std::vector<std::string_view> parts(std::string_view in, std::size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    auto zero = in.find('\0');
    if (zero == std::string_view::npos) break;
    out.push_back(in.substr(0, zero));
    in.remove_prefix(zero + 1);
  }
  out.push_back(in);
  while (out.size() < n) out.emplace_back();
  return out;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0] % 4;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (mode) {
    case 0: {
      auto p = parts(in, 3);
      auto key = cache::rest_key({"GET", p[0].empty() ? "api.github.com" : p[0], p[1], p[2], ""});
      if (key) {
        check(key->hash == cache::key_hash(key->text));
        // No query parameter named access_token survives into a key (a path may contain the text).
        const auto end = key->text.find(" accept=");
        const auto query = key->text.substr(0, end).find('?');
        if (query != std::string::npos) {
          const std::string q = "&" + key->text.substr(query + 1, end - query - 1);
          check(q.find("&access_token=") == std::string::npos);
        }
        check(key->text.size() <= cache::kMaxKeyBytes);
      }
      break;
    }
    case 1: {
      auto p = parts(in, 2);
      auto key = cache::graphql_key({"api.github.com/graphql", p[0], p[1], "", ""});
      if (key) check(key->hash.size() == 64);
      // Deterministic, and its output is valid JSON. (Not always idempotent: Boost.JSON 1.81
      // parses 17-digit doubles to within one ulp, so a re-parse may print the neighbour.)
      auto once = cache::canonical_json(in);
      if (once) {
        auto again = cache::canonical_json(in);
        check(again && *again == *once);
        check(cache::canonical_json(*once).has_value());
      }
      break;
    }
    case 2: {
      (void)cache::TtlPolicy::parse(in, std::chrono::seconds(300), "fuzz");
      break;
    }
    case 3: {
      auto p = parts(in, 2);
      auto body = std::make_shared<const std::string>(p[1]);
      auto entry = cache::decode_meta(as_bytes(p[0]), body);
      if (entry) {
        auto again = cache::decode_meta(cache::encode_meta(*entry), body);
        check(again.has_value());
        check(again->cid == entry->cid && again->status == entry->status &&
              again->headers == entry->headers);
      }
      break;
    }
  }
  return 0;
}
