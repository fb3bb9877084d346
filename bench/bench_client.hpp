// The client half of `p2p_bench`: runs the scenarios against a bench server (ours or js) and
// returns named figures.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <string>

namespace ipfsa::bench {

struct ClientOptions {
  std::string server;      // /ip4/127.0.0.1/tcp/N/p2p/<id>
  unsigned echo_port = 0;  // plain TCP echo port for the RTT baseline (0: skip)
  pid_t server_pid = 0;    // for the idle-connection RSS figure (0: skip)
  int rtt_samples = 5000;
  int conn_samples = 300;
  int warm_samples = 3000;
  int rps_requests = 30000;
  int rps_in_flight = 32;
  std::size_t bulk_mib = 2048;
  int idle_connections = 1000;
  std::string only;  // run only this scenario (rtt, warm, rps, bulk, conn, idle)
  bool skip_idle = false;
};

// Figure name -> value. Names: rtt_p50_us, rtt_p99_us, conn_p50_ms, conn_p90_ms, warm_p50_us,
// warm_p99_us, warm_rtt_p50_us (TCP pings interleaved with the warm requests), rps, bulk_gbps,
// idle_server_kib, idle_client_kib, idle_connected.
std::map<std::string, double> run_client(const ClientOptions& options);

}  // namespace ipfsa::bench
