// Test helper: runs tests/github-fixtures/serve.mjs (recorded @octokit/fixtures plus our custom
// scenarios) on a free loopback port for the duration of a test suite. Fails, never skips, when
// node or node_modules are missing.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

extern char** environ;

namespace ipfsa::github::testing {

inline std::optional<std::string> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    auto p = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return std::nullopt;
}

inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class FixtureServer {
 public:
  // `scenarios`: a glob of extra scenario files (relative to tests/github-fixtures, or absolute)
  // beside the octokit recordings.
  explicit FixtureServer(std::string scenarios = "./custom/*.json")
      : scenarios_(std::move(scenarios)) {}

  // Returns an empty string on success, else what went wrong.
  std::string start() {
    const std::filesystem::path dir = IPFSA_GITHUB_FIXTURES_DIR;
    auto node = find_on_path("node");
    if (!node) return "node is not on PATH (install nodejs)";
    if (!std::filesystem::exists(dir / "node_modules" / "@octokit" / "fixtures-server")) {
      return "missing " + (dir / "node_modules").string() + ": run `npm ci` in " + dir.string();
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = free_port();
      int p[2];
      if (::pipe2(p, O_CLOEXEC) != 0) return "pipe failed";
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
      posix_spawn_file_actions_adddup2(&fa, p[1], 1);
      std::string port = std::to_string(port_);
      std::string glob = scenarios_;
      char* argv[] = {node->data(), const_cast<char*>("serve.mjs"), port.data(), glob.data(),
                      nullptr};
      int rc = ::posix_spawn(&pid_, node->c_str(), &fa, nullptr, argv, environ);
      posix_spawn_file_actions_destroy(&fa);
      ::close(p[1]);
      if (rc != 0) {
        ::close(p[0]);
        return "cannot spawn node";
      }
      std::string out;
      auto end = std::chrono::steady_clock::now() + std::chrono::seconds{20};
      while (std::chrono::steady_clock::now() < end && out.find('\n') == std::string::npos) {
        pollfd pfd{p[0], POLLIN, 0};
        if (::poll(&pfd, 1, 200) > 0) {
          char buf[256];
          ssize_t n = ::read(p[0], buf, sizeof buf);
          if (n <= 0) break;
          out.append(buf, static_cast<std::size_t>(n));
        }
      }
      ::close(p[0]);
      if (out.find("fixtures server on") != std::string::npos) return "";
      stop();
    }
    return "serve.mjs did not start";
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
      pid_ = -1;
    }
  }

  ~FixtureServer() { stop(); }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string scenarios_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace ipfsa::github::testing
