// The one environment lookup. Every reader of configuration takes an EnvLookup instead of calling
// getenv, so the composition root (cli/) decides where variables come from and tests pass their
// own.
#pragma once

#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ipfsa {

// The value of a variable, nullopt when unset. Readers treat "" as they document (most as unset).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv).
inline EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    if (const char* v = std::getenv(std::string(name).c_str())) return std::string(v);
    return std::nullopt;
  };
}

// A fixed set of variables: tests, and callers that compose an environment.
inline EnvLookup env_from(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace ipfsa
