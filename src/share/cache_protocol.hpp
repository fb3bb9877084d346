// /ipfs-accelerate/cache/1.0.0: fetching an entry from a peer by key (docs/wire/cache-protocol.md).
// One request per stream. The asker sends one Request frame and closes its write side; the
// answerer sends zero or more `pending` frames (it is fetching from GitHub: keep waiting), then one
// final Response frame, then, for `ok`, the body as one more frame. Frames are
// uvarint-length-prefixed protobuf messages. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "cache/entry.hpp"
#include "cache/key.hpp"

namespace ipfsa::share {

inline constexpr std::string_view kCacheProtocol = "/ipfs-accelerate/cache/1.0.0";
inline constexpr std::uint32_t kCacheProtocolVersion = 1;
// A request holds at most a GraphQL query and its variables.
inline constexpr std::size_t kMaxRequestBytes =
    cache::kMaxGraphqlQueryBytes + cache::kMaxGraphqlVariablesBytes + 16 * 1024;
inline constexpr std::size_t kMaxResponseBytes = 64 * 1024;  // the Response frame (meta, message)
inline constexpr std::size_t kMaxBodyFrameBytes = cache::kMaxEntryBytes;
inline constexpr std::size_t kMaxErrorMessageBytes = 1024;
// How many times a request may be passed on to a better owner (docs/wire/membership.md): an asked
// member whose own view names another owner forwards once; the forwarded request carries 0 and is
// answered where it lands. A request claiming more is malformed.
inline constexpr std::uint32_t kMaxForwardHops = 1;

// How to make the upstream call, so the answerer can fetch the key if it has to. The answerer
// recomputes the key from it and refuses a mismatch with the key hash.
struct Recipe {
  cache::ApiKind kind = cache::ApiKind::rest;
  std::string method = "GET";  // REST
  std::string host;            // REST: API host or base URL; GraphQL: endpoint
  std::string target;          // REST: path and query
  std::string accept;          // REST
  std::string query;           // GraphQL
  std::string variables_json;  // GraphQL
  std::string operation_name;  // GraphQL
  friend bool operator==(const Recipe&, const Recipe&) = default;
};

struct Request {
  std::uint32_t version = kCacheProtocolVersion;
  std::string key_hash;     // 64 hex
  Recipe recipe;
  bool allow_upstream = false;  // the asker takes us for the key's owner: fetch it if missing
  // Forwards still allowed (0..kMaxForwardHops). 0, the default (and what a version without the
  // field sends): answer here, fetching if allow_upstream says so.
  std::uint32_t forward_hops = 0;
  friend bool operator==(const Request&, const Request&) = default;
};

enum class ResponseStatus : std::uint8_t {
  ok = 0,         // meta follows, then the body frame
  pending = 1,    // fetching upstream; a final frame follows
  not_found = 2,  // no fresh entry here (and not fetched)
  refused = 3,    // bad request (key mismatch, unsupported version): do not retry with us
  error = 4,      // the upstream call failed
  busy = 5,       // too many requests in flight: try someone else
};
std::string_view to_string(ResponseStatus status) noexcept;

struct Response {
  std::uint32_t version = kCacheProtocolVersion;
  ResponseStatus status = ResponseStatus::not_found;
  Bytes meta;           // ok: cache::encode_meta of the signed entry
  std::string message;  // refused/error: why
};

// Protobuf: 1 version, 2 key_hash (32 bytes), 3 kind, 4 method, 5 host, 6 target, 7 accept,
// 8 query, 9 variables, 10 operation_name, 11 allow_upstream, 12 forward_hops, 15 end (= 1,
// always last).
Bytes encode_request(const Request& request);
// Errors: too_large, truncated/malformed, unsupported (a newer version).
Result<Request> decode_request(ByteView bytes);
// The cache key a recipe names (cache::rest_key / graphql_key). Errors as theirs.
Result<cache::CacheKey> recipe_key(const Recipe& recipe);
// The recipe for a REST call / GraphQL query the way GitHubGateway makes it.
Recipe rest_recipe(std::string_view host, std::string_view target, std::string_view accept);
Recipe graphql_recipe(std::string_view endpoint, std::string_view query,
                      std::string_view variables_json, std::string_view operation_name);

// Protobuf: 1 version, 2 status, 3 meta, 4 message, 15 end (= 1, always last).
Bytes encode_response(const Response& response);
Result<Response> decode_response(ByteView bytes);

// A frame: uvarint length || bytes.
Bytes frame(ByteView payload);

}  // namespace ipfsa::share
