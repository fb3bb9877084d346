// `ipfs-accelerate gh ...`: what a `gh` command line means for the cache (docs/gh-wrapper.md).
// Pure: no process, file or clock access; the caller hands in the environment it read and a
// function that returns the git remotes of the current directory (called only when needed).
//
// A command is one of three actions:
//   read         a read-only command answered from the cache when `key` is set (stdout and exit
//                code 0 are cached); without a key it runs uncached (`why` says why)
//   passthrough  runs gh unchanged; touches nothing on GitHub (auth, config, clone, list of
//                things we do not cache, --help, ...)
//   write        runs gh, then drops the keys in `invalidate` (anything not known to be
//                read-only counts as a write: aliases, extensions, unknown commands)
//
// Keys: "GH <host> <owner/repo | -> <output mode> <command> <positionals...> <sorted flags...>",
// e.g. "GH github.com cli/cli out=pipe issue list --limit=5 --state=open". The repository is the
// third field so a write invalidates "GH <host> <owner/repo> " by prefix. A key never holds a
// credential: a command line containing a token value (or `gh api -H authorization:...`) is not
// cached.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/key.hpp"
#include "cache/ttl_policy.hpp"
#include "cli/gh/commands.hpp"

namespace ipfsa::cli::gh {

inline constexpr std::size_t kMaxArgs = 256;         // more arguments: not cached
inline constexpr std::size_t kMinSecretBytes = 8;    // shorter "tokens" are not searched for
inline constexpr std::string_view kDefaultHost = "github.com";

// A repository as gh names it; all fields lowercase (GitHub names are case-insensitive).
struct Repo {
  std::string host;
  std::string owner;
  std::string name;
  std::string slug() const { return owner + "/" + name; }
  friend bool operator==(const Repo&, const Repo&) = default;
};

struct Context {
  std::string host = std::string(kDefaultHost);  // GH_HOST (lowercase) or github.com
  std::string env_repo;                          // GH_REPO, "" if unset
  // Output of `git config --get-regexp '^remote\..*\.(url|gh-resolved)$'` in the current
  // directory; nullopt when there is none (not a git repository, git missing). Not called for
  // commands that name their repository.
  std::function<std::optional<std::string>()> git_remotes;
  int tty_columns = 0;  // our stdout is a terminal this wide; 0: not a terminal
  // Environment that changes gh's output, as "NAME=value" (NO_COLOR, CLICOLOR, CLICOLOR_FORCE,
  // GH_FORCE_TTY, TZ, GLAMOUR_STYLE): part of the key.
  std::vector<std::string> output_env;
  // Credential values (GH_TOKEN, GITHUB_TOKEN, GH_ENTERPRISE_TOKEN, ...): an argument containing
  // one makes the command uncacheable. Values shorter than kMinSecretBytes are ignored.
  std::vector<std::string> secrets;
};

enum class Action { read, passthrough, write };
std::string_view to_string(Action action) noexcept;

struct Plan {
  Action action = Action::passthrough;
  std::optional<cache::CacheKey> key;   // read: set when the answer may come from the cache
  std::chrono::seconds ttl{0};          // with key
  std::string ttl_class;                // with key: "gh_runs", a TTL rule pattern, ...
  std::string why;                      // read without key: the reason (for debug logs)
  std::vector<std::string> invalidate;  // write: key prefixes to drop once gh has run
};

// Classifies `args` (what follows `gh`). TTLs: a rule of `policy` (CACHE_TTL_FILE) matching the
// key path ("/gh/<command>/<subcommand>", or "/<endpoint path>" for `gh api`) wins; otherwise
// the command table's TTL (cli/gh/commands.hpp; `gh api`: the engine's route class, else
// kDefaultGhTtl). A TTL of 0 means not cached.
Plan plan(const std::vector<std::string>& args, const Context& context,
          const cache::TtlPolicy& policy);

// "https://github.com/o/r(.git)", "git@github.com:o/r.git", "ssh://git@host:22/o/r", "git://...".
std::optional<Repo> parse_repo_url(std::string_view url);
// gh's -R syntax: "[HOST/]OWNER/REPO" or a URL (https://host/o/r/...).
std::optional<Repo> parse_repo_arg(std::string_view arg, std::string_view default_host);
// The repository gh uses in this directory: the remote marked by `gh repo set-default`
// (remote.<name>.gh-resolved), else the only remote; nullopt when ambiguous or none.
std::optional<Repo> repo_from_git_remotes(std::string_view git_config_output);

// What a write to `repo` on `host` makes stale: every gh key of the repository, the gh keys not
// tied to one repository (repo list, api user, graphql, ...), and the REST keys of the repository
// ("GET <api host>/repos/<o>/<r>"). Without a repository: every gh key of the host.
std::vector<std::string> invalidation_prefixes(std::string_view host,
                                               const std::optional<Repo>& repo);
// The REST API host gh talks to: api.github.com for github.com, api.<h> for *.localhost (gh's
// test hosts), else <h>/api/v3 (GitHub Enterprise Server).
std::string api_host(std::string_view gh_host);
// True if `text` contains any of `secrets` (those of at least kMinSecretBytes).
bool contains_secret(std::string_view text, const std::vector<std::string>& secrets);
// One key field: kept as is when it is non-empty printable ASCII without space, quote or
// backslash; otherwise a double-quoted string with \" \\ and \xHH escapes.
std::string quote_field(std::string_view field);

}  // namespace ipfsa::cli::gh
