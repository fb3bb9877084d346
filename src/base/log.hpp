// The one process-wide logger (spdlog). Level from LOG_LEVEL (DEBUG, INFO, WARNING, ERROR;
// case-insensitive, Python names accepted). Never log secrets: SecretBytes has no formatter.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace ipfsa::log {

// Configures the default logger from LOG_LEVEL; safe to call more than once.
void init_from_env();
// Parses a Python/spdlog level name; false if unknown.
bool parse_level(std::string_view name, spdlog::level::level_enum& out);

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::trace;
using spdlog::warn;

}  // namespace ipfsa::log
