// Canonical cache keys for GitHub API requests (docs/wire/cache-store.md, "Keys").
//
// REST:    "<METHOD> <host>/<path>[?<sorted query>] accept=<media types>[ scope=<scope>]"
// GraphQL: "POST <host>/<path> graphql=<hex sha256(normalised query \n operation \n canonical
//           variables)>[ scope=<scope>]"
// The key text starts with method + URL so "invalidate by prefix" works on URL prefixes. The key
// digest (sha256 of the text) names the entry in the store; its lowercase hex, the key hash, names
// it between peers and in the database.
//
// Contract: a key never contains a credential. Requests carrying one in the URL (access_token,
// client_secret, token query parameters, or user:password@ in the URL) are refused with
// Error::unsupported: the caller must not cache them. `scope` is an optional namespace the
// caller chooses so that users with different access never share private data (e.g. a short
// hash of the authenticated login); it is limited to [A-Za-z0-9._-] and kMaxScopeBytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "crypto/sha256.hpp"

namespace ipfsa::cache {

inline constexpr std::size_t kMaxKeyBytes = 8 * 1024;  // canonical key text
inline constexpr std::size_t kMaxMethodBytes = 16;
inline constexpr std::size_t kMaxScopeBytes = 64;
inline constexpr std::size_t kMaxGraphqlQueryBytes = 256 * 1024;  // query document text
inline constexpr std::size_t kMaxGraphqlVariablesBytes = 256 * 1024;
inline constexpr std::size_t kMaxJsonDepth = 64;  // canonical_json nesting
inline constexpr std::string_view kDefaultApiHost = "api.github.com";
inline constexpr std::string_view kDefaultAccept = "application/vnd.github+json";

enum class ApiKind : std::uint8_t { rest = 0, graphql = 1 };

using KeyDigest = crypto::Sha256Digest;  // sha256(key text)

struct CacheKey {
  ApiKind kind = ApiKind::rest;
  std::string text;  // canonical key (safe to log: it holds no credential)
  std::string hash;  // lowercase hex sha256(text), 64 characters
  std::string path;  // REST: normalised route below the API base, no query ("/repos/o/r");
                    // GraphQL: "graphql"
  KeyDigest digest{};  // sha256(text): what the store is keyed by; `hash` is its hex
};

// A key from canonical text (hash and digest computed together). make_key is how code outside
// rest_key/graphql_key builds one (a `gh` command line, a key typed by the user).
CacheKey make_key(ApiKind kind, std::string text, std::string path);

struct RestRequest {
  std::string_view method = "GET";
  // Base URL or host: "api.github.com", "https://ghe.example.com/api/v3". Ignored when `target`
  // is an absolute URL (as in a Link header).
  std::string_view host = kDefaultApiHost;
  // Path with optional query, as `gh api` takes it ("repos/o/r", "/user/repos?per_page=100"),
  // or an absolute http(s) URL.
  std::string_view target;
  std::string_view accept;  // the Accept header; "" means kDefaultAccept
  std::string_view scope;
};

// Errors: malformed (empty/invalid method, host or path, bad scope), unsupported (a credential in
// the URL), too_large (over kMaxKeyBytes / kMaxMethodBytes).
Result<CacheKey> rest_key(const RestRequest& request);

struct GraphqlRequest {
  std::string_view endpoint = "api.github.com/graphql";  // URL or host/path
  std::string_view query;
  std::string_view variables_json;  // "" or "null" mean {}; otherwise a JSON object
  std::string_view operation_name;
  std::string_view scope;
};

// Errors: malformed (empty query, variables not a JSON object, bad scope), too_large.
Result<CacheKey> graphql_key(const GraphqlRequest& request);

// GraphQL ignored tokens (whitespace, commas, # comments; spec section 2.1.7) outside string
// literals are dropped, keeping one space only between two name/number characters. Strings and
// block strings are kept verbatim.
std::string normalize_graphql_query(std::string_view query);

// Canonical JSON: objects with keys sorted by byte order (recursively), no insignificant
// whitespace, strings re-escaped minimally, numbers as parsed (integers as integers, doubles in
// shortest round-trip form); a repeated object key keeps its last value, as JSON.parse does.
// Errors: malformed (not JSON), too_large (depth over
// kMaxJsonDepth or input over kMaxGraphqlVariablesBytes).
Result<std::string> canonical_json(std::string_view json);

// Lowercase hex sha256 of `text`.
std::string key_hash(std::string_view text);
KeyDigest key_digest(std::string_view text) noexcept;
// A key hash back to its digest: exactly 64 lowercase hex characters, else nullopt.
std::optional<KeyDigest> digest_from_hex(std::string_view key_hash) noexcept;

}  // namespace ipfsa::cache
