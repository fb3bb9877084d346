#include "mcp/schema.hpp"

#include <array>
#include <cmath>

namespace ipfsa::mcp {
namespace json = boost::json;
namespace {

// Code points, not bytes: minLength/maxLength count characters (JSON Schema 2020-12 §6.3).
std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_type(const json::value& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_int64() || v.is_uint64()) return true;
    // 2020-12: a number with a zero fractional part is an integer (1.0).
    return v.is_double() && std::isfinite(v.get_double()) &&
           std::trunc(v.get_double()) == v.get_double();
  }
  return false;
}

double as_number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

std::string type_names(const json::value& t) {
  if (t.is_string()) return std::string(t.get_string());
  std::string out;
  for (const auto& n : t.get_array()) {
    if (!out.empty()) out += " or ";
    if (n.is_string()) out += n.get_string();
  }
  return out;
}

std::string number_text(const json::value& v) { return json::serialize(v); }

}  // namespace

std::string validate(const json::value& instance, const json::object& schema,
                     std::string_view where) {
  const std::string at(where);
  if (const auto* t = schema.if_contains("type")) {
    bool ok = false;
    if (t->is_string()) ok = is_type(instance, t->get_string());
    if (t->is_array()) {
      for (const auto& n : t->get_array())
        ok = ok || (n.is_string() && is_type(instance, n.get_string()));
    }
    if (!ok) return at + ": must be of type " + type_names(*t);
  }
  if (const auto* e = schema.if_contains("enum"); e != nullptr && e->is_array()) {
    bool found = false;
    for (const auto& option : e->get_array()) found = found || option == instance;
    if (!found) return at + ": must be one of " + json::serialize(*e);
  }
  if (instance.is_number()) {
    const double x = as_number(instance);
    if (const auto* m = schema.if_contains("minimum");
        m != nullptr && m->is_number() && x < as_number(*m)) {
      return at + ": must be at least " + number_text(*m);
    }
    if (const auto* m = schema.if_contains("maximum");
        m != nullptr && m->is_number() && x > as_number(*m)) {
      return at + ": must be at most " + number_text(*m);
    }
  }
  if (instance.is_string()) {
    const std::size_t n = utf8_length(instance.get_string());
    if (const auto* m = schema.if_contains("minLength");
        m != nullptr && m->is_number() && static_cast<double>(n) < as_number(*m)) {
      return at + ": must have at least " + number_text(*m) + " characters";
    }
    if (const auto* m = schema.if_contains("maxLength");
        m != nullptr && m->is_number() && static_cast<double>(n) > as_number(*m)) {
      return at + ": must have at most " + number_text(*m) + " characters";
    }
  }
  if (instance.is_array()) {
    if (const auto* items = schema.if_contains("items"); items != nullptr && items->is_object()) {
      std::size_t i = 0;
      for (const auto& item : instance.get_array()) {
        auto message = validate(item, items->get_object(), at + "[" + std::to_string(i++) + "]");
        if (!message.empty()) return message;
      }
    }
  }
  if (instance.is_object()) {
    const auto& object = instance.get_object();
    const json::object* properties = nullptr;
    if (const auto* p = schema.if_contains("properties"); p != nullptr && p->is_object()) {
      properties = &p->get_object();
    }
    if (const auto* r = schema.if_contains("required"); r != nullptr && r->is_array()) {
      for (const auto& name : r->get_array()) {
        if (name.is_string() && !object.contains(name.get_string())) {
          return at + "." + std::string(name.get_string()) + ": is required";
        }
      }
    }
    const auto* extra = schema.if_contains("additionalProperties");
    const bool closed = extra != nullptr && extra->is_bool() && !extra->get_bool();
    for (const auto& [name, value] : object) {
      const json::value* sub = properties != nullptr ? properties->if_contains(name) : nullptr;
      if (sub == nullptr) {
        if (closed) return at + "." + std::string(name) + ": is not a known argument";
        continue;
      }
      if (!sub->is_object()) continue;
      auto message = validate(value, sub->get_object(), at + "." + std::string(name));
      if (!message.empty()) return message;
    }
  }
  return "";
}

bool schema_keywords_supported(const json::object& schema) {
  static constexpr std::array<std::string_view, 15> kKnown = {
      "type",      "properties", "required", "additionalProperties", "enum",  "minimum", "maximum",
      "minLength", "maxLength",  "items",    "description",          "title", "default", "$schema",
      "examples"};
  for (const auto& [key, value] : schema) {
    bool known = false;
    for (auto k : kKnown) known = known || key == k;
    if (!known) return false;
    if (key == "additionalProperties" && !(value.is_bool() && !value.get_bool())) return false;
    if (key == "items" && (!value.is_object() || !schema_keywords_supported(value.get_object())))
      return false;
    if (key == "properties") {
      if (!value.is_object()) return false;
      for (const auto& [name, sub] : value.get_object()) {
        if (!sub.is_object() || !schema_keywords_supported(sub.get_object())) return false;
      }
    }
  }
  return true;
}

}  // namespace ipfsa::mcp
