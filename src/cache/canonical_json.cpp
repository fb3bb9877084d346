// canonical_json() on Boost.JSON (compiled once, in base_json).
#include <boost/json.hpp>
#include <cmath>
#include <string>
#include <string_view>

#include "cache/key.hpp"

namespace ipfsa::cache {
namespace {

// False if `v` holds a number no JSON text can carry (a literal too large for a double parses to
// infinity, which Boost.JSON would print as the non-JSON word "Infinity").
bool write_canonical(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& obj = v.get_object();
      std::vector<const boost::json::key_value_pair*> members;
      members.reserve(obj.size());
      for (const auto& kv : obj) members.push_back(&kv);
      std::sort(members.begin(), members.end(),
                [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out.push_back('{');
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i != 0) out.push_back(',');
        out += boost::json::serialize(boost::json::string_view(members[i]->key()));
        out.push_back(':');
        if (!write_canonical(members[i]->value(), out)) return false;
      }
      out.push_back('}');
      break;
    }
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        if (!write_canonical(item, out)) return false;
      }
      out.push_back(']');
      break;
    }
    case boost::json::kind::double_:
      if (!std::isfinite(v.get_double())) return false;
      out += boost::json::serialize(v);
      break;
    default:  // scalars: Boost.JSON's serializer is already minimal and deterministic
      out += boost::json::serialize(v);
      break;
  }
  return true;
}

}  // namespace

Result<std::string> canonical_json(std::string_view json) {
  if (json.size() > kMaxGraphqlVariablesBytes) return Error::too_large;
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec, {}, options);
  if (ec == boost::json::error::too_deep) return Error::too_large;
  if (ec) return Error::malformed;
  std::string out;
  if (!write_canonical(v, out)) return Error::malformed;
  return out;
}

}  // namespace ipfsa::cache
