// ipfs-accelerate: parses the command line and dispatches to one subcommand.
#include <CLI/CLI.hpp>

#include "cli/common.hpp"

int main(int argc, char** argv) {
  using namespace ipfsa::cli;
  // `gh` takes gh's own arguments verbatim: dispatch before CLI11 could claim any of them.
  if (argc >= 2 && std::string_view(argv[1]) == "gh") {
    return run_gh(std::vector<std::string>(argv + 2, argv + argc));
  }
  // `mcp` speaks JSON-RPC on stdin/stdout and parses its own flags.
  if (argc >= 2 && std::string_view(argv[1]) == "mcp") {
    return run_mcp(std::vector<std::string>(argv + 2, argv + argc));
  }
  CLI::App app{"ipfs-accelerate: a peer-to-peer cache of GitHub API responses", "ipfs-accelerate"};
  app.set_version_flag("--version", std::string(kVersion));
  app.require_subcommand(1);

  bool json = false;
  auto* id = app.add_subcommand("id", "Print this node's peer ID and listen addresses");
  id->add_flag("--json", json, "Print a JSON object");

  PingOptions ping;
  auto* ping_cmd = app.add_subcommand("ping", "Ping a libp2p peer (/ipfs/ping/1.0.0) and print RTTs");
  ping_cmd->add_option("multiaddr", ping.target, "Peer address, e.g. /ip4/127.0.0.1/tcp/9100/p2p/12D3Koo...")
      ->required();
  ping_cmd->add_option("-n,--count", ping.count, "Number of pings")->check(CLI::Range(1, 100000));
  ping_cmd->add_option("-i,--interval", ping.interval_s, "Seconds between pings")
      ->check(CLI::Range(0.0, 3600.0));
  ping_cmd->add_option("--swarm-key", ping.swarm_key, "libp2p pnet swarm key file (private network)");

  ServeOptions serve;
  std::string dashboard_host, dashboard_port;
  std::vector<CLI::App*> serve_cmds;
  for (const char* name : {"serve", "dashboard"}) {
    auto* cmd = app.add_subcommand(
        name, std::string_view(name) == "serve"
                  ? "Run the node: libp2p host on CACHE_LISTEN_PORT (default 9100) and the dashboard, "
                    "JSON API, GitHub proxy and MCP server on 127.0.0.1:8899"
                  : "Same as serve (the original's dashboard command)");
    cmd->add_option("--listen", serve.listen,
                    "Listen multiaddr (repeatable); default /ip4/0.0.0.0 and /ip6/:: on CACHE_LISTEN_PORT")
        ->allow_extra_args(false);
    cmd->add_option("--swarm-key", serve.swarm_key,
                    "libp2p pnet swarm key file (default: IPFS_ACCELERATE_SWARM_KEY; else derived from the swarm secret)");
    cmd->add_option("--host", dashboard_host,
                    "Dashboard bind address (default IPFS_ACCELERATE_DASHBOARD_HOST or 127.0.0.1; others need IPFS_ACCELERATE_DASHBOARD_TOKEN)");
    cmd->add_option("--port", dashboard_port,
                    "Dashboard port (default IPFS_ACCELERATE_DASHBOARD_PORT or 8899; 0 = any free port)");
    serve_cmds.push_back(cmd);
  }

  ApiOptions api;
  std::vector<std::string> raw_fields, typed_fields;
  auto* api_cmd = app.add_subcommand("api", "Call the GitHub API like `gh api`, answered through the cache");
  api_cmd->add_option("path", api.path, "API path, e.g. repos/octocat/hello-world or /user")->required();
  api_cmd->add_option("-X,--method", api.method, "HTTP method (default GET, or POST with fields)");
  // One value per occurrence (as gh): `-H 'Accept: x' path` must not take `path` as a header.
  api_cmd->add_option("-f,--raw-field", raw_fields, "String field key=value (query for GET, JSON body otherwise)")
      ->allow_extra_args(false);
  api_cmd->add_option("-F,--field", typed_fields, "Typed field key=value (true/false/null/integers as JSON)")
      ->allow_extra_args(false);
  api_cmd->add_option("-H,--header", api.headers, "Request header \"Accept: ...\"")->allow_extra_args(false);
  api_cmd->add_flag("--paginate", api.paginate, "Follow Link rel=\"next\" and print every page");
  api_cmd->add_flag("-i,--include", api.include, "Print the status line and headers, with X-Cache-Status");

  app.add_subcommand("mcp", "MCP server on stdio for agents (see docs/mcp.md; `mcp --help`)")->prefix_command();
  app.add_subcommand("gh", "A caching drop-in for Debian's gh: gh <arguments...> (see docs/gh-wrapper.md)")
      ->prefix_command();

  CacheOptions cache;
  auto* cache_cmd = app.add_subcommand("cache", "Inspect or change the local cache (never calls GitHub)");
  cache_cmd->require_subcommand(1);
  cache_cmd->add_subcommand("stats", "Counters and size as JSON")->callback([&] { cache.action = "stats"; });
  auto* cache_get = cache_cmd->add_subcommand("get", "Show a cached entry by key, key hash or API path");
  cache_get->add_option("key", cache.argument, "Canonical key, 64-hex key hash, or API path")->required();
  cache_get->add_flag("--body", cache.body, "Print the body instead of the metadata");
  cache_get->add_option("--accept", cache.accept, "Accept media type the entry was fetched with (API paths)");
  cache_get->callback([&] { cache.action = "get"; });
  auto* cache_inv = cache_cmd->add_subcommand("invalidate", "Drop entries whose key starts with a prefix");
  cache_inv->add_option("prefix", cache.argument, "Key prefix, e.g. \"GET api.github.com/repos/o/r\"")->required();
  cache_inv->callback([&] { cache.action = "invalidate"; });
  cache_cmd->add_subcommand("clear", "Drop every entry")->callback([&] { cache.action = "clear"; });

  CLI11_PARSE(app, argc, argv);
  if (*api_cmd) {
    for (auto& f : raw_fields) api.fields.emplace_back(f, false);
    for (auto& f : typed_fields) api.fields.emplace_back(f, true);
    return run_api(api);
  }
  if (*cache_cmd) return run_cache(cache);
  if (*id) return run_id(json);
  if (*ping_cmd) return run_ping(ping);
  for (auto* cmd : serve_cmds) {
    if (!*cmd) continue;
    if (cmd->count("--host")) serve.dashboard_host = dashboard_host;
    if (cmd->count("--port")) serve.dashboard_port = dashboard_port;
    return run_serve(serve);
  }
  return 2;
}
