// The gh wrapper's I/O beside its plans (cli/gh/plan.hpp), for cli/cmd_gh: the git remotes gh
// would read, and the cache entry that holds a read's captured output. The rest of cli reaches
// the cache and the process runner only through here (docs/architecture.md, "Layers").
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "cache/entry.hpp"
#include "cli/gh/plan.hpp"

namespace ipfsa::cli::gh {

inline constexpr std::size_t kMaxOutputBytes = cache::kMaxEntryBytes;  // larger output: not cached
inline constexpr std::size_t kMaxGitOutput = 64 * 1024;
inline constexpr auto kGitDeadline = std::chrono::seconds(5);

// `git config --get-regexp '^remote\..*\.(url|gh-resolved)$'` in the working directory: its
// stdout, or nullopt when git fails, exits non-zero, takes over kGitDeadline or prints more than
// kMaxGitOutput bytes (Context::git_remotes).
std::optional<std::string> git_remotes();

// The entry caching a read's output under plan.key: status 200, text/plain, fresh for plan.ttl
// from now. Errors: cache::make_entry's (too_large over kMaxOutputBytes).
Result<cache::EntryPtr> output_entry(const Plan& plan, std::string output);

}  // namespace ipfsa::cli::gh
