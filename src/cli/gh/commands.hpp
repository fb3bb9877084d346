// gh's command table for the wrapper (docs/gh-wrapper.md): the read-only commands we cache, each
// with its flags as `gh <command> <subcommand> --help` lists them (gh 2.23), how many
// positionals it takes, where its repository comes from and its TTL class; the commands that
// touch nothing on GitHub; and the pflag argument parser. The planner (cli/gh/plan.hpp) decides
// with these what a command line means for the cache. Pure: no process, file or clock access.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipfsa::cli::gh {

inline constexpr std::chrono::seconds kRunsTtl{60};  // run list / run view
inline constexpr std::chrono::seconds kWorkflowsTtl{300};
inline constexpr std::chrono::seconds kReposTtl{300};  // repo view / repo list
inline constexpr std::chrono::seconds kIssuesTtl{60};  // issue and pr list / view / checks / diff
inline constexpr std::chrono::seconds kDefaultGhTtl{60};

// How a flag's argument is read and what it means for the cache (flags as listed by
// `gh <command> <subcommand> --help` in gh 2.23; pflag syntax).
enum class FlagKind : std::uint8_t {
  boolean,       // --x, --x=false
  value,         // --x v, --x=v, -xv, -x v, -x=v
  fields,        // --json a,b: order and repeats do not change gh's output (sorted map keys)
  blocks_bool,   // --web, --watch: interactive, never cached
  blocks_value,  // --interval (only with --watch)
};

struct FlagSpec {
  std::string_view name;
  char shorthand;  // 0: none
  FlagKind kind;
};

// Where the repository of a read comes from.
enum class RepoSource : std::uint8_t {
  context,         // -R, GH_REPO, git remotes
  url_or_context,  // a URL positional (issue/pr view https://host/o/r/...), else context
  positional,      // repo view [[HOST/]OWNER/REPO]: the positional, else context
  none,            // not tied to one repository (repo list)
};

struct CommandSpec {
  std::string_view group;
  std::string_view sub;
  std::span<const FlagSpec> flags;
  std::size_t min_positionals;  // fewer: gh would prompt or use the current branch
  std::size_t max_positionals;
  RepoSource repo;
  bool repo_flag;  // accepts -R/--repo
  std::string_view ttl_class;
  std::chrono::seconds ttl;
};

// The cached command `group sub` (e.g. "run", "list"); nullptr when it is not one.
const CommandSpec* find_command(std::string_view group, std::string_view sub);
// The flags of `gh api`.
std::span<const FlagSpec> api_flags();
// Command groups that change nothing on GitHub (or only local files): run uncached.
bool is_passthrough_group(std::string_view group);
// Subcommand names that read (list, view, ...): an unknown command with one is run uncached
// rather than treated as a write.
bool is_read_only_subcommand(std::string_view sub);

struct ParsedArgs {
  std::vector<std::string> positionals;
  std::vector<std::pair<std::string, std::string>> flags;  // name, normalised token
  std::optional<std::string> repo;                         // -R/--repo value
  std::string error;                                       // not understood or not cacheable
};

// pflag syntax: --name[=value], --name value, -abc (booleans), -xVALUE, -x=VALUE, -x VALUE, "--"
// ends flags; flags and positionals may be interleaved. Parses argv[first..]; -R/--repo is taken
// when `repo_flag`. A flag not in `specs`, a missing value or an interactive flag sets `error`
// (the command is then run uncached). --json fields are sorted and deduplicated.
ParsedArgs parse_args(const std::vector<std::string>& argv, std::size_t first,
                      std::span<const FlagSpec> specs, bool repo_flag);

}  // namespace ipfsa::cli::gh
