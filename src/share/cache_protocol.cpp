#include "share/cache_protocol.hpp"

#include "share/signed_entry.hpp"
#include "wire/protobuf.hpp"
#include "wire/varint.hpp"

namespace ipfsa::share {
namespace {

enum : std::uint32_t {
  kVersion = 1,
  kKeyHash = 2,
  kKind = 3,
  kMethod = 4,
  kHost = 5,
  kTarget = 6,
  kAccept = 7,
  kQuery = 8,
  kVariables = 9,
  kOperation = 10,
  kAllowUpstream = 11,
  kForwardHops = 12,
  kEnd = 15,  // last field of every message: a cut message never decodes
};

bool set_text(const wire::pb::Field& f, std::string& out, std::size_t max, Error& error) {
  if (f.type != wire::pb::WireType::len) {
    error = Error::malformed;
    return false;
  }
  if (f.bytes.size() > max) {
    error = Error::too_large;
    return false;
  }
  out = ipfsa::to_string(f.bytes);
  return true;
}

}  // namespace

std::string_view to_string(ResponseStatus status) noexcept {
  switch (status) {
    case ResponseStatus::ok: return "ok";
    case ResponseStatus::pending: return "pending";
    case ResponseStatus::not_found: return "not_found";
    case ResponseStatus::refused: return "refused";
    case ResponseStatus::error: return "error";
    case ResponseStatus::busy: return "busy";
  }
  return "unknown";
}

Bytes encode_request(const Request& q) {
  wire::pb::Writer w;
  w.varint(kVersion, q.version);
  const auto raw = hex_decode(q.key_hash);
  w.bytes(kKeyHash, raw ? ByteView(*raw) : as_bytes(q.key_hash));
  w.varint(kKind, static_cast<std::uint64_t>(q.recipe.kind));
  const std::pair<std::uint32_t, const std::string*> texts[] = {
      {kMethod, &q.recipe.method},   {kHost, &q.recipe.host},
      {kTarget, &q.recipe.target},   {kAccept, &q.recipe.accept},
      {kQuery, &q.recipe.query},     {kVariables, &q.recipe.variables_json},
      {kOperation, &q.recipe.operation_name},
  };
  for (const auto& [field, value] : texts) {
    if (!value->empty()) w.string(field, *value);
  }
  if (q.allow_upstream) w.varint(kAllowUpstream, 1);
  if (q.forward_hops != 0) w.varint(kForwardHops, q.forward_hops);
  w.varint(kEnd, 1);
  return std::move(w).take();
}

Result<Request> decode_request(ByteView bytes) {
  if (bytes.size() > kMaxRequestBytes) return Error::too_large;
  Request q;
  q.recipe.method.clear();
  bool have_version = false;
  bool have_hash = false;
  bool have_end = false;
  Error error = Error::ok;
  wire::pb::Reader r(bytes);
  wire::pb::Field f;
  while (r.next(f)) {
    if (have_end) return Error::malformed;  // nothing may follow the end marker
    const bool is_varint = f.type == wire::pb::WireType::varint;
    bool ok = true;
    switch (f.number) {
      case kVersion:
        if (!is_varint || f.varint == 0) return Error::malformed;
        if (f.varint > kCacheProtocolVersion) return Error::unsupported;
        q.version = static_cast<std::uint32_t>(f.varint);
        have_version = true;
        break;
      case kKeyHash:
        if (f.type != wire::pb::WireType::len || f.bytes.size() != kKeyHashHexBytes / 2) {
          return Error::malformed;
        }
        q.key_hash = hex_encode(f.bytes);
        have_hash = true;
        break;
      case kKind:
        if (!is_varint || f.varint > 1) return Error::malformed;
        q.recipe.kind = static_cast<cache::ApiKind>(f.varint);
        break;
      case kMethod: ok = set_text(f, q.recipe.method, cache::kMaxMethodBytes, error); break;
      case kHost: ok = set_text(f, q.recipe.host, cache::kMaxKeyBytes, error); break;
      case kTarget: ok = set_text(f, q.recipe.target, cache::kMaxKeyBytes, error); break;
      case kAccept: ok = set_text(f, q.recipe.accept, cache::kMaxKeyBytes, error); break;
      case kQuery: ok = set_text(f, q.recipe.query, cache::kMaxGraphqlQueryBytes, error); break;
      case kVariables:
        ok = set_text(f, q.recipe.variables_json, cache::kMaxGraphqlVariablesBytes, error);
        break;
      case kOperation: ok = set_text(f, q.recipe.operation_name, cache::kMaxKeyBytes, error); break;
      case kAllowUpstream:
        if (!is_varint) return Error::malformed;
        q.allow_upstream = f.varint != 0;
        break;
      case kForwardHops:
        if (!is_varint) return Error::malformed;
        if (f.varint > kMaxForwardHops) return Error::malformed;  // never a longer path
        q.forward_hops = static_cast<std::uint32_t>(f.varint);
        break;
      case kEnd:
        if (!is_varint || f.varint != 1) return Error::malformed;
        have_end = true;
        break;
      default:
        break;
    }
    if (!ok) return error;
  }
  if (r.error()) return r.error();
  if (!have_end) return Error::truncated;
  if (!have_version || !have_hash) return Error::malformed;
  if (q.recipe.kind == cache::ApiKind::rest && q.recipe.method.empty()) q.recipe.method = "GET";
  return q;
}

Result<cache::CacheKey> recipe_key(const Recipe& recipe) {
  if (recipe.kind == cache::ApiKind::graphql) {
    cache::GraphqlRequest g;
    if (!recipe.host.empty()) g.endpoint = recipe.host;
    g.query = recipe.query;
    g.variables_json = recipe.variables_json;
    g.operation_name = recipe.operation_name;
    return cache::graphql_key(g);
  }
  cache::RestRequest r;
  r.method = recipe.method;
  if (!recipe.host.empty()) r.host = recipe.host;
  r.target = recipe.target;
  r.accept = recipe.accept;
  return cache::rest_key(r);
}

Recipe rest_recipe(std::string_view host, std::string_view target, std::string_view accept) {
  Recipe r;
  r.kind = cache::ApiKind::rest;
  r.host = host;
  r.target = target;
  r.accept = accept;
  return r;
}

Recipe graphql_recipe(std::string_view endpoint, std::string_view query,
                      std::string_view variables_json, std::string_view operation_name) {
  Recipe r;
  r.kind = cache::ApiKind::graphql;
  r.method = "POST";
  r.host = endpoint;
  r.query = query;
  r.variables_json = variables_json;
  r.operation_name = operation_name;
  return r;
}

Bytes encode_response(const Response& p) {
  wire::pb::Writer w;
  w.varint(1, p.version);
  w.varint(2, static_cast<std::uint64_t>(p.status));
  if (!p.meta.empty()) w.bytes(3, p.meta);
  if (!p.message.empty()) w.string(4, p.message);
  w.varint(kEnd, 1);
  return std::move(w).take();
}

Result<Response> decode_response(ByteView bytes) {
  if (bytes.size() > kMaxResponseBytes) return Error::too_large;
  Response p;
  bool have_version = false;
  bool have_status = false;
  bool have_end = false;
  wire::pb::Reader r(bytes);
  wire::pb::Field f;
  while (r.next(f)) {
    if (have_end) return Error::malformed;
    switch (f.number) {
      case 1:
        if (f.type != wire::pb::WireType::varint || f.varint == 0) return Error::malformed;
        if (f.varint > kCacheProtocolVersion) return Error::unsupported;
        p.version = static_cast<std::uint32_t>(f.varint);
        have_version = true;
        break;
      case 2:
        if (f.type != wire::pb::WireType::varint) return Error::malformed;
        if (f.varint > static_cast<std::uint64_t>(ResponseStatus::busy)) return Error::malformed;
        p.status = static_cast<ResponseStatus>(f.varint);
        have_status = true;
        break;
      case 3:
        if (f.type != wire::pb::WireType::len) return Error::malformed;
        p.meta.assign(f.bytes.begin(), f.bytes.end());
        break;
      case 4:
        if (f.type != wire::pb::WireType::len) return Error::malformed;
        if (f.bytes.size() > kMaxErrorMessageBytes) return Error::too_large;
        p.message = ipfsa::to_string(f.bytes);
        break;
      case kEnd:
        if (f.type != wire::pb::WireType::varint || f.varint != 1) return Error::malformed;
        have_end = true;
        break;
      default:
        break;
    }
  }
  if (r.error()) return r.error();
  if (!have_end) return Error::truncated;
  if (!have_version || !have_status) return Error::malformed;
  if (p.status == ResponseStatus::ok && p.meta.empty()) return Error::malformed;
  return p;
}

Bytes frame(ByteView payload) {
  Bytes out;
  wire::append_uvarint(out, payload.size());
  append(out, payload);
  return out;
}

}  // namespace ipfsa::share
