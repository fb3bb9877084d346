// `ipfs-accelerate gh <gh arguments...>`: a caching drop-in for the GitHub CLI
// (docs/gh-wrapper.md). cli/gh/plan decides what a command line means; this file runs the
// real gh (GH_PATH, else `gh` on PATH; never through a shell):
//   passthrough  exec()s gh: stdin, stdout, stderr, signals and exit code are gh's own
//   read         answers from the cache, or runs gh with stdout captured (and copied to ours as
//                it arrives) and caches stdout when gh exits 0
//   write        runs gh, then drops the keys the write may have made stale
// Every output is captured the same way whether or not our stdout is a terminal: when it is, gh
// is told so (GH_FORCE_TTY=<columns>) and the key records it, so a terminal never gets piped
// output from the cache and a pipe never gets colours.
#include <fcntl.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "base/ascii.hpp"
#include "base/log.hpp"
#include "cli/gh/cache_io.hpp"
#include "cli/gh/plan.hpp"
#include "node/local_github.hpp"

extern char** environ;

namespace ipfsa::cli {
namespace {


inline constexpr int kMaxWrapperDepth = 4;  // IPFSA_GH_DEPTH: gh -> wrapper -> gh ... loops
inline constexpr int kExitNotFound = 127;  // as a shell reports a missing command
inline constexpr std::string_view kDepthVariable = "IPFSA_GH_DEPTH";
// Environment variables that change what gh prints (part of the key).
inline constexpr std::string_view kOutputEnv[] = {"NO_COLOR",     "CLICOLOR", "CLICOLOR_FORCE",
                                                  "GH_FORCE_TTY", "TZ",       "GLAMOUR_STYLE"};
inline constexpr std::string_view kTokenEnv[] = {"GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN",
                                                 "GITHUB_ENTERPRISE_TOKEN"};

std::string env_or(const char* name, std::string fallback = {}) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

bool is_executable_file(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

// GH_PATH (a path, or a name looked up on PATH), else `gh` on PATH, skipping this executable
// (a symlink named gh pointing at us would loop).
std::optional<std::string> find_gh() {
  std::error_code ec;
  const auto self = std::filesystem::canonical("/proc/self/exe", ec);
  const std::string wanted = env_or("GH_PATH", "gh");
  if (wanted.find('/') != std::string::npos) {
    if (is_executable_file(wanted)) return wanted;
    return std::nullopt;
  }
  std::string_view path = [] {
    const char* p = std::getenv("PATH");
    return p ? p : "/usr/local/bin:/usr/bin:/bin";
  }();
  while (true) {
    const auto colon = path.find(':');
    std::string dir(path.substr(0, colon));
    if (dir.empty()) dir = ".";
    const std::filesystem::path candidate = std::filesystem::path(dir) / wanted;
    if (is_executable_file(candidate)) {
      const auto real = std::filesystem::canonical(candidate, ec);
      if (ec || real != self) return candidate.string();
    }
    if (colon == std::string_view::npos) return std::nullopt;
    path.remove_prefix(colon + 1);
  }
}

// Our environment with `set` applied ("NAME=value" replaces NAME).
std::vector<std::string> child_env(const std::vector<std::string>& set) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('=') + 1);
    const bool replaced = std::any_of(set.begin(), set.end(),
                                      [&](const std::string& s) { return s.starts_with(name); });
    if (!replaced) out.emplace_back(entry);
  }
  out.insert(out.end(), set.begin(), set.end());
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

class Runner {
 public:
  Runner(std::string gh, std::vector<std::string> args, std::vector<std::string> env)
      : gh_(std::move(gh)), argv_(std::move(args)), env_(std::move(env)) {
    argv_.insert(argv_.begin(), gh_);
  }

  // Replaces this process with gh.
  [[noreturn]] void exec() {
    auto argv = c_strings(argv_);
    auto envp = c_strings(env_);
    ::execve(gh_.c_str(), argv.data(), envp.data());
    std::cerr << "ipfs-accelerate gh: cannot run " << gh_ << ": " << std::strerror(errno) << "\n";
    std::_Exit(kExitNotFound);
  }

  // Runs gh and waits; stdout goes to `capture` (and is copied to ours) when it is set. While gh
  // runs, SIGINT and SIGQUIT from the terminal are left to gh (as system() does).
  int run(std::string* capture, bool* capture_complete) {
    int pipe_fds[2] = {-1, -1};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (capture) {
      if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail("pipe");
      posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGQUIT);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    auto argv = c_strings(argv_);
    auto envp = c_strings(env_);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, gh_.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (capture) ::close(pipe_fds[1]);
    if (rc != 0) {
      if (capture) ::close(pipe_fds[0]);
      errno = rc;
      return fail("spawn");
    }
    auto* old_int = std::signal(SIGINT, SIG_IGN);
    auto* old_quit = std::signal(SIGQUIT, SIG_IGN);
    auto* old_pipe = std::signal(SIGPIPE, SIG_IGN);  // a closed stdout must not stop the drain
    if (capture) drain(pipe_fds[0], *capture, *capture_complete);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::signal(SIGINT, old_int);
    std::signal(SIGQUIT, old_quit);
    std::signal(SIGPIPE, old_pipe);
    return exit_code(status);
  }

 private:
  // Copies gh's stdout to ours as it arrives and keeps up to kMaxEntryBytes of it. If our stdout
  // goes away (`| head`), gh's output is still read to the end so it can be cached.
  static void drain(int fd, std::string& out, bool& complete) {
    complete = true;
    bool echo = true;
    char buffer[64 * 1024];
    while (true) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      const auto size = static_cast<std::size_t>(n);
      if (echo) echo = write_all(STDOUT_FILENO, buffer, size);
      if (complete && out.size() + size <= gh::kMaxOutputBytes) {
        out.append(buffer, size);
      } else {
        complete = false;
        out.clear();
      }
    }
    ::close(fd);
  }

  int fail(const char* what) {
    std::cerr << "ipfs-accelerate gh: cannot run " << gh_ << " (" << what
              << "): " << std::strerror(errno) << "\n";
    return kExitNotFound;
  }

  std::string gh_;
  std::vector<std::string> argv_;
  std::vector<std::string> env_;
};

gh::Context read_context() {
  gh::Context c;
  c.host = ascii_lower(env_or("GH_HOST", std::string(gh::kDefaultHost)));
  c.env_repo = env_or("GH_REPO");
  c.git_remotes = gh::git_remotes;
  if (::isatty(STDOUT_FILENO)) {
    winsize ws{};
    c.tty_columns = ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  }
  for (auto name : kOutputEnv) {
    if (const char* v = std::getenv(std::string(name).c_str())) {
      c.output_env.push_back(std::string(name) + "=" + v);
    }
  }
  for (auto name : kTokenEnv) {
    if (const char* v = std::getenv(std::string(name).c_str()); v && *v) c.secrets.emplace_back(v);
  }
  return c;
}

cache::GitHubAPICache* open_cache() {
  auto cache = node::process_cache();
  if (!cache) {
    std::cerr << "ipfs-accelerate gh: cache unavailable (" << cache.error()
              << "); running gh without it\n";
    return nullptr;
  }
  return *cache;
}

int cached_read(Runner& runner, const gh::Plan& plan, const gh::Context& context) {
  cache::GitHubAPICache* cache = open_cache();
  if (!cache) runner.exec();
  const auto& key = *plan.key;
  if (auto hit = cache->get(key)) {
    log::debug("gh: hit {}", key.text);
    const auto& body = *(*hit)->body;
    return write_all(STDOUT_FILENO, body.data(), body.size()) ? 0 : 1;
  }
  std::string out;
  bool complete = false;
  const int code = runner.run(&out, &complete);
  if (code != 0 || !complete) {
    log::debug("gh: miss {}; not cached (exit {}, {} output)", key.text, code,
               complete ? "complete" : "oversized");
    return code;
  }
  if (gh::contains_secret(out, context.secrets)) {
    log::warn("gh: output of {} contains a credential; not cached", key.text);
    return code;
  }
  auto entry = gh::output_entry(plan, std::move(out));
  if (!entry) return code;
  if (auto ok = cache->put_entry(key, std::move(*entry)); !ok) {
    log::warn("gh: storing {} failed: {}", key.text, ok.error().message());
  } else {
    log::debug("gh: miss {}; cached for {} s ({})", key.text, plan.ttl.count(), plan.ttl_class);
  }
  return code;
}

int write_through(Runner& runner, const gh::Plan& plan) {
  const int code = runner.run(nullptr, nullptr);
  // A failed gh may still have changed something (a timeout after GitHub applied the write), so
  // invalidate whatever the exit code.
  cache::GitHubAPICache* cache = open_cache();
  if (!cache) return code;
  for (const auto& prefix : plan.invalidate) {
    auto dropped = cache->invalidate_prefix(prefix);
    if (!dropped) {
      log::warn("gh: invalidating \"{}\" failed: {}", prefix, dropped.error().message());
    } else {
      log::debug("gh: write; dropped {} entries under \"{}\"", *dropped, prefix);
    }
  }
  return code;
}

}  // namespace

int run_gh(const std::vector<std::string>& args) {
  log::init_from_env();
  if (!std::getenv("LOG_LEVEL")) spdlog::set_level(spdlog::level::warn);
  const int depth = std::atoi(env_or(std::string(kDepthVariable).c_str(), "0").c_str());
  if (depth >= kMaxWrapperDepth) {
    std::cerr << "ipfs-accelerate gh: the gh it runs calls `ipfs-accelerate gh` again; set GH_PATH "
                 "to the real gh (e.g. GH_PATH=/usr/bin/gh)\n";
    return kExitNotFound;
  }
  const auto gh_path = find_gh();
  if (!gh_path) {
    std::cerr << "ipfs-accelerate gh: cannot find the GitHub CLI ("
              << (std::getenv("GH_PATH") ? "GH_PATH=" + env_or("GH_PATH") + " is not an executable"
                                         : std::string("no `gh` on PATH"))
              << "); install it (apt-get install gh) or set GH_PATH to its path\n";
    return kExitNotFound;
  }
  const gh::Context context = read_context();
  gh::Plan plan = gh::plan(args, context, cache::TtlPolicy{});
  if (plan.action == gh::Action::read && plan.key) {
    // A cached read: its TTL comes from the cache's rules (CACHE_TTL_FILE, ttl.conf).
    if (auto cache = node::process_cache()) plan = gh::plan(args, context, (*cache)->ttl_policy());
  }
  std::vector<std::string> env_set = {std::string(kDepthVariable) + "=" +
                                      std::to_string(depth + 1)};
  if (plan.action == gh::Action::read && plan.key) {
    env_set.emplace_back("GH_PROMPT_DISABLED=1");
    if (context.tty_columns > 0 && !std::getenv("GH_FORCE_TTY")) {
      env_set.push_back("GH_FORCE_TTY=" + std::to_string(context.tty_columns));
      env_set.emplace_back("GH_PAGER=cat");  // we copy the output ourselves
    }
  }
  Runner runner(*gh_path, args, child_env(env_set));
  switch (plan.action) {
    case gh::Action::passthrough:
      runner.exec();
    case gh::Action::read:
      if (!plan.key) {
        log::debug("gh: read not cached ({})", plan.why);
        runner.exec();
      }
      return cached_read(runner, plan, context);
    case gh::Action::write:
      return write_through(runner, plan);
  }
  return 1;
}

}  // namespace ipfsa::cli
