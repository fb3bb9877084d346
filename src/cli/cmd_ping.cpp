// `ipfs-accelerate ping <multiaddr> [-n N] [-i S]`: dials with a throwaway identity and prints one
// line per echo, like ping(8).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "base/log.hpp"
#include "cli/common.hpp"
#include "p2p/host.hpp"

namespace ipfsa::cli {

int run_ping(const PingOptions& options) {
  log::init_from_env();
  if (!std::getenv("LOG_LEVEL")) spdlog::set_level(spdlog::level::warn);
  auto target = wire::Multiaddr::parse(options.target);
  if (!target) {
    std::cerr << "ping: " << options.target << " is not a multiaddr: " << target.error().message()
              << "\n";
    return 2;
  }
  std::optional<SecretBytes> psk;
  if (!options.swarm_key.empty()) {
    psk = load_swarm_key(options.swarm_key);
    if (!psk) return 2;
  }
  io::asio::io_context context;
  p2p::Host host(context, p2p::HostConfig{crypto::Ed25519KeyPair::generate(), std::move(psk),
                                          agent_version()});
  int transmitted = 0, received = 0;
  std::vector<double> rtts;
  int status = 0;
  const auto started = Clock::now();
  std::printf("PING %s\n", target->to_string().c_str());
  io::asio::co_spawn(
      context,
      [&]() -> io::Task<void> {
        auto connection = co_await host.dial(*target);
        if (!connection) {
          std::fprintf(stderr, "ping: cannot connect to %s: %s\n", target->to_string().c_str(),
                       connection.error().message().c_str());
          status = 1;
          host.close();
          co_return;
        }
        const auto peer = (*connection)->remote_peer();
        const auto interval = std::chrono::duration_cast<Duration>(
            std::chrono::duration<double>(options.interval_s));
        auto r = co_await host.ping(peer, options.count, interval, [&](int seq, Result<Duration> rtt) {
          ++transmitted;
          if (!rtt) {
            std::printf("from %s: seq=%d %s\n", peer.to_string().c_str(), seq,
                        rtt.error().message().c_str());
            return;
          }
          ++received;
          const double ms = std::chrono::duration<double, std::milli>(*rtt).count();
          rtts.push_back(ms);
          std::printf("32 bytes from %s: seq=%d time=%.3f ms\n", peer.to_string().c_str(), seq, ms);
          std::fflush(stdout);
        });
        if (!r) {
          std::fprintf(stderr, "ping: %s\n", r.error().message().c_str());
          status = 1;
        }
        host.close();
      },
      io::asio::detached);
  context.run();
  const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  std::printf("--- %s ping statistics ---\n", target->to_string().c_str());
  const int loss = transmitted ? 100 * (transmitted - received) / transmitted : 100;
  std::printf("%d packets transmitted, %d received, %d%% packet loss, time %.0fms\n", transmitted,
              received, loss, elapsed);
  if (!rtts.empty()) {
    double min = rtts[0], max = rtts[0], sum = 0, sq = 0;
    for (double v : rtts) {
      min = std::min(min, v);
      max = std::max(max, v);
      sum += v;
    }
    const double avg = sum / static_cast<double>(rtts.size());
    for (double v : rtts) sq += (v - avg) * (v - avg);
    std::printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", min, avg, max,
                std::sqrt(sq / static_cast<double>(rtts.size())));
  }
  if (status != 0) return status;
  return received > 0 ? 0 : 1;
}

}  // namespace ipfsa::cli
