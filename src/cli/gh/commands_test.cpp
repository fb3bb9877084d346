// The pflag parser and the command table of the gh wrapper, directly (plan_test.cpp covers what
// the planner makes of them).
#include "cli/gh/commands.hpp"

#include <gtest/gtest.h>

namespace ipfsa::cli::gh {
namespace {

using Args = std::vector<std::string>;

ParsedArgs parse_run_list(Args argv) {
  const CommandSpec* spec = find_command("run", "list");
  EXPECT_NE(spec, nullptr);
  argv.insert(argv.begin(), {"run", "list"});
  return parse_args(argv, 2, spec->flags, spec->repo_flag);
}

TEST(GhCommands, EveryPflagSpellingOfAValueMeansTheSame) {
  for (const Args& argv : {Args{"--limit", "5"}, Args{"--limit=5"}, Args{"-L", "5"}, Args{"-L5"},
                           Args{"-L=5"}}) {
    const auto parsed = parse_run_list(argv);
    ASSERT_TRUE(parsed.error.empty()) << argv[0] << ": " << parsed.error;
    ASSERT_EQ(parsed.flags.size(), 1u) << argv[0];
    EXPECT_EQ(parsed.flags[0].second, "--limit=5") << argv[0];
  }
}

TEST(GhCommands, RepoFlagPositionalsAndDoubleDash) {
  const auto parsed = parse_run_list({"-R", "cli/cli", "--", "--limit"});
  ASSERT_TRUE(parsed.error.empty()) << parsed.error;
  EXPECT_EQ(parsed.repo, "cli/cli");
  EXPECT_EQ(parsed.positionals, Args{"--limit"});  // after "--" nothing is a flag
  EXPECT_TRUE(parsed.flags.empty());
}

TEST(GhCommands, JsonFieldsAreSortedAndDeduplicated) {
  const auto parsed = parse_run_list({"--json", "status, name,status"});
  ASSERT_TRUE(parsed.error.empty()) << parsed.error;
  ASSERT_EQ(parsed.flags.size(), 1u);
  EXPECT_EQ(parsed.flags[0].second, "--json=name,status");
}

TEST(GhCommands, WhatCannotBeCachedSaysWhy) {
  EXPECT_EQ(parse_run_list({"--frobnicate"}).error, "unknown flag --frobnicate");
  EXPECT_EQ(parse_run_list({"-Z"}).error, "unknown flag -Z");
  EXPECT_EQ(parse_run_list({"--limit"}).error, "--limit needs a value");
  EXPECT_EQ(parse_run_list({"-R"}).error, "-R needs a value");
  const auto view = find_command("pr", "checks");
  ASSERT_NE(view, nullptr);
  const Args watch{"pr", "checks", "1", "--watch"};
  EXPECT_EQ(parse_args(watch, 2, view->flags, view->repo_flag).error, "--watch is interactive");
}

TEST(GhCommands, TableLookups) {
  EXPECT_EQ(find_command("issue", "create"), nullptr);  // a write: not in the table
  const CommandSpec* runs = find_command("run", "view");
  ASSERT_NE(runs, nullptr);
  EXPECT_EQ(runs->ttl, kRunsTtl);
  EXPECT_EQ(runs->ttl_class, "gh_runs");
  EXPECT_TRUE(is_passthrough_group("auth"));
  EXPECT_FALSE(is_passthrough_group("issue"));
  EXPECT_TRUE(is_read_only_subcommand("view"));
  EXPECT_FALSE(is_read_only_subcommand("create"));
  EXPECT_FALSE(api_flags().empty());
}

}  // namespace
}  // namespace ipfsa::cli::gh
