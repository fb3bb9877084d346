#include "mcp/tools.hpp"

// The tool table: names, descriptions, schemas; the status tools. GitHub tools: tools_github.cpp.
#include <array>
#include <map>

#include "mcp/tools_github.hpp"
#include "node/status_json.hpp"

namespace ipfsa::mcp {
namespace json = boost::json;
namespace {

ToolOutput run_peer_status(node::ServiceBackend& backend, const json::object&) {
  ToolOutput out;
  out.data = node::peers_view(backend.p2p_status(), cache::wall_now().time_since_epoch().count());
  return out;
}

ToolOutput run_cache_stats(node::ServiceBackend& backend, const json::object&) {
  ToolOutput out;
  const auto p2p = backend.p2p_status();
  out.data = node::cache_stats_view(backend.cache_stats(), p2p);
  return out;
}

constexpr std::string_view kNoArgs =
    R"({"type":"object","properties":{},"additionalProperties":false})";

constexpr std::string_view kPeerStatusDescription =
    "Status of this node's peer-to-peer cache sharing: whether P2P is enabled and active "
    "(listening), "
    "the node's peer ID and listen addresses, the connected peers (addresses, agent, round-trip "
    "time, "
    "entries exchanged) and the peers listed in the registry. Reads the node's own state; never "
    "calls GitHub.";
constexpr std::string_view kCacheStatsDescription =
    "Statistics of the GitHub API cache: entries, size, hit rate, peer hits, GitHub calls made and "
    "saved, 304 revalidations, stale answers served, and whether P2P sharing is on with how many "
    "peers. Never calls GitHub.";

constexpr std::string_view kGhApiSchema = R"({
  "type": "object",
  "properties": {
    "path": {"type": "string", "minLength": 1, "maxLength": 2048,
             "description": "GitHub REST API path with an optional query, as for `gh api`: e.g. \"repos/octocat/hello-world\", \"/repos/o/r/issues?state=open&per_page=50\". Not a full URL."},
    "method": {"type": "string", "default": "GET",
               "description": "HTTP method. Only GET is offered; writes are refused."},
    "paginate": {"type": "boolean", "default": false,
                 "description": "Follow Link rel=\"next\" (at most 10 pages) and merge the lists into one body."}
  },
  "required": ["path"],
  "additionalProperties": false
})";

constexpr std::string_view kGhGraphqlSchema = R"({
  "type": "object",
  "properties": {
    "query": {"type": "string", "minLength": 1, "maxLength": 262144,
              "description": "A GraphQL query document (queries only; mutations are refused)."},
    "variables": {"type": "object", "description": "Values of the query's variables."}
  },
  "required": ["query"],
  "additionalProperties": false
})";

constexpr std::string_view kInvalidateSchema = R"({
  "type": "object",
  "properties": {
    "prefix": {"type": "string", "minLength": 1, "maxLength": 2048,
               "description": "What to drop: an API path prefix such as \"repos/octocat/hello-world\" (drops that path and everything below it), or a canonical cache key prefix such as \"GET api.github.com/repos/octocat\"."}
  },
  "required": ["prefix"],
  "additionalProperties": false
})";

constexpr std::string_view kRunsSchema = R"({
  "type": "object",
  "properties": {
    "repo": {"type": "string", "minLength": 3, "maxLength": 201, "description": "Repository as \"owner/name\"."},
    "status": {"type": "string",
               "enum": ["completed", "action_required", "cancelled", "failure", "neutral", "skipped", "stale",
                        "success", "timed_out", "in_progress", "queued", "requested", "waiting", "pending"],
               "description": "Only runs with this status or conclusion."},
    "branch": {"type": "string", "minLength": 1, "maxLength": 255, "description": "Only runs for this branch."},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "default": 30,
                 "description": "How many runs (newest first)."}
  },
  "required": ["repo"],
  "additionalProperties": false
})";

constexpr std::string_view kRunnersSchema = R"({
  "type": "object",
  "properties": {
    "repo": {"type": "string", "minLength": 3, "maxLength": 201, "description": "Repository as \"owner/name\" (give this or org)."},
    "org": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Organisation login (give this or repo)."}
  },
  "additionalProperties": false
})";

constexpr std::array<Tool, 10> kTools = {{
    {"get_peer_status", "P2P peer status", kPeerStatusDescription, kNoArgs, true, false,
     run_peer_status},
    {"get_cache_stats", "Cache statistics", kCacheStatsDescription, kNoArgs, true, false,
     run_cache_stats},
    {"get_dashboard_peer_status", "P2P peer status (original name)",
     "Same as get_peer_status (the name the Python original used).", kNoArgs, true, false,
     run_peer_status},
    {"get_dashboard_cache_stats", "Cache statistics (original name)",
     "Same as get_cache_stats (the name the Python original used).", kNoArgs, true, false,
     run_cache_stats},
    {"gh_get_cache_stats", "Cache statistics (original gh_ name)",
     "Same as get_cache_stats (the name the Python original used).", kNoArgs, true, false,
     run_cache_stats},
    {"gh_api", "GitHub REST read through the cache",
     "Read the GitHub REST API like `gh api` (GET only), answered from the shared cache when "
     "possible. "
     "Returns {status, cache_status (hit, miss, revalidated, stale), body}; with paginate, the "
     "pages' "
     "lists merged into one body plus pages and truncated. HTTP errors come back as an error "
     "result with "
     "GitHub's message.",
     kGhApiSchema, true, true, run_gh_api},
    {"gh_graphql", "GitHub GraphQL query through the cache",
     "Run a GitHub GraphQL query (not a mutation), answered from the shared cache when possible. "
     "Returns "
     "{status, cache_status, body} with GitHub's {data, errors}.",
     kGhGraphqlSchema, true, true, run_gh_graphql},
    {"gh_invalidate_cache", "Drop cached GitHub answers",
     "Remove cached answers whose key starts with a prefix, so the next read asks GitHub again. "
     "Returns "
     "{prefix, invalidated} (the number of entries removed). Changes only the local cache.",
     kInvalidateSchema, false, false, run_gh_invalidate_cache},
    {"list_workflow_runs", "List GitHub Actions workflow runs",
     "List a repository's GitHub Actions workflow runs, newest first, through the cache. Returns "
     "{status, cache_status, total_count, workflow_runs[{id, name, display_title, status, "
     "conclusion, "
     "head_branch, head_sha, event, run_number, run_attempt, created_at, updated_at, html_url}]}.",
     kRunsSchema, true, true, run_list_workflow_runs},
    {"list_runners", "List self-hosted GitHub Actions runners",
     "List the self-hosted runners of a repository or an organisation (needs admin access), "
     "through the "
     "cache. Returns {status, cache_status, total_count, runners[{id, name, os, status, busy, "
     "labels}]}.",
     kRunnersSchema, true, true, run_list_runners},
}};

}  // namespace

std::span<const Tool> tools() noexcept { return kTools; }

const Tool* find_tool(std::string_view name) noexcept {
  for (const auto& t : kTools) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const json::object& input_schema(const Tool& tool) {
  // Parsed once, at first use, for all tools (thread-safe static initialisation).
  static const auto* const kParsed = [] {
    auto* map = new std::map<std::string_view, json::object>;
    for (const auto& t : kTools) (*map)[t.name] = json::parse(t.input_schema).as_object();
    return map;
  }();
  return kParsed->at(tool.name);
}

std::string check_api_path(std::string_view path) {
  if (path.empty()) return "path is empty";
  if (path.size() > kMaxApiPathBytes)
    return "path is longer than " + std::to_string(kMaxApiPathBytes) + " bytes";
  if (path.find("://") != std::string_view::npos || path.starts_with("//")) {
    return "path must be an API path such as repos/owner/name, not a URL";
  }
  for (unsigned char c : path) {
    if (c <= 0x20 || c == 0x7f) return "path must not contain spaces or control characters";
  }
  return "";
}

}  // namespace ipfsa::mcp
