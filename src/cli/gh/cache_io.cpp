#include "cli/gh/cache_io.hpp"

#include <memory>
#include <utility>

#include "github/process.hpp"

namespace ipfsa::cli::gh {

std::optional<std::string> git_remotes() {
  auto out = github::run_capture({"git", "config", "--get-regexp", R"(^remote\..*\.(url|gh-resolved)$)"},
                                 kGitDeadline, kMaxGitOutput);
  if (!out || out->exit_status != 0) return std::nullopt;
  const auto bytes = out->output.view();
  return std::string(bytes.begin(), bytes.end());
}

Result<cache::EntryPtr> output_entry(const Plan& plan, std::string output) {
  const auto now = cache::wall_now();
  auto entry = cache::make_entry(200, {{"content-type", "text/plain; charset=utf-8"}},
                                 std::move(output), now, now + plan.ttl);
  if (!entry) return entry.error();
  return std::make_shared<const cache::Entry>(std::move(*entry));
}

}  // namespace ipfsa::cli::gh
