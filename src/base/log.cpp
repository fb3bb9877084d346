#include "base/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "base/ascii.hpp"

namespace ipfsa::log {

bool parse_level(std::string_view name, spdlog::level::level_enum& out) {
  const std::string s = ascii_lower(name);
  if (s == "trace") out = spdlog::level::trace;
  else if (s == "debug") out = spdlog::level::debug;
  else if (s == "info") out = spdlog::level::info;
  else if (s == "warning" || s == "warn") out = spdlog::level::warn;
  else if (s == "error") out = spdlog::level::err;
  else if (s == "critical") out = spdlog::level::critical;
  else return false;
  return true;
}

void init_from_env() {
  static bool done = false;
  if (!done) {
    // Logs go to stderr so that command output on stdout stays machine-readable.
    auto logger = spdlog::stderr_color_mt("ipfs-accelerate");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    done = true;
  }
  spdlog::level::level_enum level = spdlog::level::info;
  if (const char* env = std::getenv("LOG_LEVEL"); env && *env) {
    if (!parse_level(env, level)) {
      spdlog::warn("LOG_LEVEL={} is not a level (DEBUG, INFO, WARNING, ERROR); using INFO", env);
      level = spdlog::level::info;
    }
  }
  spdlog::set_level(level);
}

}  // namespace ipfsa::log
