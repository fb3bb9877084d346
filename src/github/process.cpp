#include "github/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace ipfsa::github {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

Result<CapturedOutput> run_capture(const std::vector<std::string>& argv, Duration deadline,
                                   std::size_t max_output) {
  if (argv.empty() || argv[0].empty()) return Error::not_found;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return Error::io_failure;
  Fd rd{p[0]};
  Fd wr{p[1]};

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, wr.fd, 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc == ENOENT || rc == EACCES || rc == ENOTDIR) return Error::not_found;
  if (rc != 0) return Error::io_failure;
  ::close(wr.fd);
  wr.fd = -1;

  const TimePoint end = Clock::now() + deadline;
  std::vector<std::uint8_t> out;
  std::uint8_t buf[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0) {
      kill_and_reap(pid);
      secure_wipe(out.data(), out.size());
      return Error::timeout;
    }
    pollfd pfd{rd.fd, POLLIN, 0};
    int pr = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (pr < 0 && errno == EINTR) continue;
    if (pr < 0) {
      kill_and_reap(pid);
      return Error::io_failure;
    }
    if (pr == 0) continue;  // deadline re-checked above
    ssize_t n = ::read(rd.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF (or error): the child closed stdout
    if (out.size() + static_cast<std::size_t>(n) > max_output) {
      kill_and_reap(pid);
      secure_wipe(out.data(), out.size());
      secure_wipe(buf, sizeof buf);
      return Error::too_large;
    }
    out.insert(out.end(), buf, buf + n);
  }
  secure_wipe(buf, sizeof buf);

  // stdout is closed; the child should exit promptly, but the deadline still holds.
  int st = 0;
  while (true) {
    pid_t w = ::waitpid(pid, &st, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      secure_wipe(out.data(), out.size());
      return Error::io_failure;
    }
    if (Clock::now() >= end) {
      kill_and_reap(pid);
      secure_wipe(out.data(), out.size());
      return Error::timeout;
    }
    ::usleep(2000);
  }
  CapturedOutput result;
  result.exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  result.output = SecretBytes{std::span<const std::uint8_t>(out)};
  secure_wipe(out.data(), out.size());
  return result;
}

}  // namespace ipfsa::github
