// p2p_bench: libp2p (TCP + Noise + Yamux) benchmarks of our stack, side by side with js-libp2p.
//
// usage: p2p_bench server
//        p2p_bench client --server MA [--echo-port P] [--server-pid PID] [scenario flags]
//        p2p_bench run [--js] [scenario flags]   (spawns its own server process; --js also runs
//                                                tests/interop/js_bench.mjs and prints ours/js)
// scenario flags: --only rtt|warm|rps|bulk|conn|idle  --bulk-mib N  --conn N  --warm N  --rps N
//                 --idle N
// Figures and anchors: docs/performance.md.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "bench_client.hpp"
#include "bench_util.hpp"

namespace ipfsa::bench {
int run_server();
}

namespace {

using namespace ipfsa::bench;
using Results = std::map<std::string, double>;

// Anchors: docs/anchors.md sections 2.7 (js-libp2p on a 2-core box) and 2.8.
struct Figure {
  const char* name;
  const char* label;
  double js_anchor;  // 0: none
  double target;     // 0: computed (warm: 2x RTT of this run)
  bool higher_is_better;
};
constexpr Figure kFigures[] = {
    {"conn_p50_ms", "new conn + 1 B req/resp p50 (ms)", 18.3, 1.0, false},
    {"warm_p50_us", "warm req, 4 KiB reply p50 (us)", 1230, 0, false},
    {"bulk_gbps", "one-stream bulk (Gbit/s)", 2.70, 12.0, true},
    {"rps", "req/s, 32 in flight, 4 KiB", 1772, 40000, true},
    {"idle_server_kib", "RSS per idle conn, server (KiB)", 0, 64, false},
};
constexpr const char* kInfo[] = {"rtt_p50_us",     "rtt_p99_us",     "warm_rtt_p50_us",
                                 "conn_p90_ms",    "warm_p99_us",    "idle_client_kib",
                                 "idle_connected", "bulk_cut_at_mib"};

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  return b;
}

void print_table(const Results& ours, const Results& js) {
  // The warm target uses the RTT sampled between the warm requests (same conditions).
  const double rtt = ours.count("warm_rtt_p50_us") ? ours.at("warm_rtt_p50_us")
                     : ours.count("rtt_p50_us")    ? ours.at("rtt_p50_us")
                                                   : 0;
  std::printf("\n%-34s %9s %9s %9s %9s %8s %8s %s\n", "figure", "ours", "js(run)", "js(anch)",
              "target", "ours/js", "ours/tgt", "");
  for (const auto& f : kFigures) {
    if (!ours.count(f.name)) continue;
    const double v = ours.at(f.name);
    const double target = f.target > 0 ? f.target : 2 * rtt;
    const double j = js.count(f.name) ? js.at(f.name) : 0;
    const bool pass = f.higher_is_better ? v >= target : v <= target;
    std::printf("%-34s %9s %9s %9s %9s %8s %8s %s\n", f.label, fmt(v).c_str(),
                j > 0 ? fmt(j).c_str() : "-", f.js_anchor > 0 ? fmt(f.js_anchor).c_str() : "-",
                target > 0 ? fmt(target).c_str() : "-", j > 0 ? fmt(v / j).c_str() : "-",
                target > 0 ? fmt(v / target).c_str() : "-",
                target <= 0 ? ""
                : pass      ? "ok"
                            : "MISS");
  }
  std::printf("\nalso: loopback TCP RTT anchor p50 57 us;");
  for (const char* name : kInfo) {
    if (ours.count(name)) std::printf(" %s=%s", name, fmt(ours.at(name)).c_str());
  }
  for (const char* name : kInfo) {
    if (js.count(name)) std::printf(" js.%s=%s", name, fmt(js.at(name)).c_str());
  }
  std::printf("\n");
}

void print_results(const char* who, const Results& r) {
  for (const auto& [k, v] : r) std::printf("result %s %s %.3f\n", who, k.c_str(), v);
  std::fflush(stdout);
}

// "ready <multiaddr> <echo-port>"
bool parse_ready(const std::optional<std::string>& line, ClientOptions& o) {
  if (!line) return false;
  std::istringstream in(*line);
  std::string word;
  in >> word >> o.server >> o.echo_port;
  return word == "ready" && !o.server.empty();
}

// Runs `argv` and collects its "result <who> <name> <value>" or "result <name> <value>" lines.
Results collect(const std::vector<std::string>& argv, const char* tag) {
  Results out;
  Child child = spawn(argv);
  while (auto line = read_line(child.out)) {
    std::istringstream in(*line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.size() >= 3 && words[0] == "result")
      out[words[words.size() - 2]] = std::stod(words.back());
    std::fprintf(stderr, "%s: %s\n", tag, line->c_str());
  }
  stop(child);
  return out;
}

// The idle-connection figure needs a fresh server (a heap that earlier scenarios grew would
// hide the growth) and a fresh client process.
Results run_idle(const std::string& self, const std::vector<std::string>& server_argv,
                 const ClientOptions& o, const char* tag) {
  Child server = spawn(server_argv);
  ClientOptions idle = o;
  if (!parse_ready(read_line(server.out), idle)) {
    std::fprintf(stderr, "%s idle server did not start\n", tag);
    stop(server);
    return {};
  }
  auto out = collect({self, "client", "--only", "idle", "--server", idle.server, "--server-pid",
                      std::to_string(server.pid), "--idle", std::to_string(o.idle_connections)},
                     tag);
  stop(server);
  return out;
}

std::string js_script() { return std::string(IPFSA_BENCH_DIR) + "/../tests/interop/js_bench.mjs"; }

}  // namespace

int main(int argc, char** argv) {
  ipfsa::log::init_from_env();
  if (!std::getenv("LOG_LEVEL")) spdlog::set_level(spdlog::level::err);
  if (argc < 2) {
    std::fprintf(stderr, "usage: p2p_bench server | client --server MA ... | run [--js] ...\n");
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "server") return run_server();

  ClientOptions o;
  bool with_js = false;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", flag.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--server")
      o.server = value();
    else if (flag == "--echo-port")
      o.echo_port = static_cast<unsigned>(std::stoul(value()));
    else if (flag == "--server-pid")
      o.server_pid = std::stoi(value());
    else if (flag == "--only")
      o.only = value();
    else if (flag == "--bulk-mib")
      o.bulk_mib = std::stoul(value());
    else if (flag == "--conn")
      o.conn_samples = std::stoi(value());
    else if (flag == "--warm")
      o.warm_samples = std::stoi(value());
    else if (flag == "--rps")
      o.rps_requests = std::stoi(value());
    else if (flag == "--idle")
      o.idle_connections = std::stoi(value());
    else if (flag == "--js")
      with_js = true;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (mode == "client") {
    print_results("ours", run_client(o));
    return 0;
  }
  if (mode != "run") return 2;

  char self[4096];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return 1;
  self[len] = '\0';
  const bool idle_wanted = o.only.empty() || o.only == "idle";
  Results ours, js;
  if (o.only != "idle") {
    Child server = spawn({self, "server"});
    if (!parse_ready(read_line(server.out), o)) {
      std::fprintf(stderr, "server did not start\n");
      stop(server);
      return 1;
    }
    o.skip_idle = true;
    ours = run_client(o);
    stop(server);
  }
  if (idle_wanted) ours.merge(run_idle(self, {self, "server"}, o, "ours-idle"));
  print_results("ours", ours);
  if (with_js) {
    if (o.only != "idle" && o.only != "rtt") {
      std::vector<std::string> argv{"node", js_script(), "run", "--bulk-mib",
                                    std::to_string(std::min<std::size_t>(o.bulk_mib, 512))};
      if (!o.only.empty()) argv.insert(argv.end(), {"--only", o.only});
      js = collect(argv, "js");
    }
    // js server memory per idle connection, dialled by our client hosts (cross-implementation).
    if (idle_wanted) {
      auto idle = run_idle(self, {"node", js_script(), "server"}, o, "js-idle");
      if (idle.count("idle_server_kib")) js["idle_server_kib"] = idle["idle_server_kib"];
      if (idle.count("idle_connected")) js["idle_connected"] = idle["idle_connected"];
    }
    print_results("js", js);
  }
  print_table(ours, js);
  return 0;
}
