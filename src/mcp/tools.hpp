// The MCP tools: their names, descriptions, input schemas (JSON Schema, published in tools/list
// and enforced before a call) and what they do over a node::ServiceBackend.
//
// Every tool only reads (gh_invalidate_cache drops local cache entries; it never writes to
// GitHub). GitHub reads go through the backend's gateway, so they are answered by the cache, by
// peers, or once from GitHub and then cached.
#pragma once

#include <boost/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "node/service_backend.hpp"

namespace ipfsa::mcp {

struct ToolOutput {
  bool is_error = false;
  boost::json::object data;  // the structured result (also sent as text)
  std::string message;       // is_error: what went wrong, for the model to read
};

using ToolRun = ToolOutput (*)(node::ServiceBackend& backend, const boost::json::object& arguments);

struct Tool {
  std::string_view name;
  std::string_view title;
  std::string_view description;
  std::string_view input_schema;  // JSON text
  bool read_only;                 // annotations.readOnlyHint
  bool open_world;                // annotations.openWorldHint: may reach GitHub
  ToolRun run;
};

std::span<const Tool> tools() noexcept;
const Tool* find_tool(std::string_view name) noexcept;
// The parsed input schema of a tool (parsed once; the text is a constant).
const boost::json::object& input_schema(const Tool& tool);

// An API path an agent may pass to gh_api: relative ("repos/o/r", "/user?x=1"), no scheme, no
// "//", no whitespace or control characters, at most kMaxApiPathBytes. "" if fine, else why not.
inline constexpr std::size_t kMaxApiPathBytes = 2048;
std::string check_api_path(std::string_view path);

}  // namespace ipfsa::mcp
