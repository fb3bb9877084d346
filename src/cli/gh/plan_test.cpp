#include "cli/gh/plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ipfsa::cli::gh {
namespace {

using Args = std::vector<std::string>;

Context pipe_context(std::optional<std::string> remotes = std::nullopt, int* git_calls = nullptr) {
  Context c;
  c.git_remotes = [remotes, git_calls]() {
    if (git_calls) ++*git_calls;
    return remotes;
  };
  c.secrets = {"ghp_0123456789abcdef"};
  return c;
}

const cache::TtlPolicy kPolicy{};

Plan plan_of(const Args& args, const Context& c = pipe_context()) { return plan(args, c, kPolicy); }

std::string key_of(const Args& args, const Context& c = pipe_context()) {
  const Plan p = plan_of(args, c);
  EXPECT_EQ(p.action, Action::read) << args[0];
  EXPECT_TRUE(p.key) << "no key: " << p.why;
  return p.key ? p.key->text : "";
}

TEST(GhPlan, PassthroughCommandsTouchNothing) {
  for (const Args& args : std::vector<Args>{{},
                                            {"--version"},
                                            {"auth", "status"},
                                            {"config", "set", "editor", "vim"},
                                            {"repo", "clone", "o/r"},
                                            {"pr", "checkout", "12"},
                                            {"issue", "list", "--help"},
                                            {"gist", "view", "abc"},
                                            {"search", "repos", "x"}}) {
    const Plan p = plan_of(args);
    EXPECT_EQ(p.action, Action::passthrough) << (args.empty() ? "" : args[0]);
    EXPECT_TRUE(p.invalidate.empty());
  }
}

TEST(GhPlan, WritesAndUnknownCommandsInvalidate) {
  for (const Args& args :
       std::vector<Args>{{"issue", "create", "-R", "o/r", "-t", "x", "-b", "y"},
                         {"issue", "close", "5", "--repo=O/R"},
                         {"pr", "merge", "3", "-Ro/r"},
                         {"run", "rerun", "77", "-R", "github.com/o/r"},
                         {"api", "-X", "POST", "repos/o/r/issues"},
                         {"api", "repos/o/r/issues", "-f", "title=x"},
                         {"api", "/repos/o/r/labels", "--input", "-"},
                         {"repo", "delete", "o/r", "--yes"},
                         {"issue", "comment", "https://github.com/o/r/issues/5", "-b", "hi"}}) {
    const Plan p = plan_of(args);
    EXPECT_EQ(p.action, Action::write) << args[0] << " " << args[1];
    EXPECT_EQ(p.invalidate, invalidation_prefixes("github.com", Repo{"github.com", "o", "r"}))
        << args[0] << " " << args[1];
  }
  // Nothing names a repository (and git knows none): the whole host.
  for (const Args& args : std::vector<Args>{{"my-extension", "do"},
                                            {"gist", "create", "f.txt"},
                                            {"api", "--method", "DELETE", "user/following/x"},
                                            {"api", "graphql", "-F", "query=@q.graphql"},
                                            {"api", "graphql", "-f", "query= mutation { x }"},
                                            {"api", "graphql", "-f", "query=#c\nsubscription{x}"},
                                            {"api", "--bogus-flag", "repos/o/r"}}) {
    const Plan p = plan_of(args);
    EXPECT_EQ(p.action, Action::write) << args[0];
    EXPECT_EQ(p.invalidate, std::vector<std::string>{"GH github.com "}) << args[0];
  }
}

TEST(GhPlan, InvalidationPrefixesCoverTheRepositoryOnly) {
  const auto prefixes = invalidation_prefixes("GitHub.com", Repo{"github.com", "o", "r"});
  ASSERT_EQ(prefixes.size(), 3u);
  const std::string same = key_of({"issue", "list", "-R", "o/r"});
  const std::string other = key_of({"issue", "list", "-R", "o/r2"});
  const std::string hostwide = key_of({"repo", "list", "o"});
  EXPECT_TRUE(same.starts_with(prefixes[0])) << same;
  EXPECT_FALSE(other.starts_with(prefixes[0])) << other;
  EXPECT_FALSE(other.starts_with(prefixes[1])) << other;
  EXPECT_TRUE(hostwide.starts_with(prefixes[1])) << hostwide;
  EXPECT_EQ(prefixes[2], "GET api.github.com/repos/o/r");
  EXPECT_EQ(api_host("ghe.corp"), "ghe.corp/api/v3");
  EXPECT_EQ(api_host("github.localhost"), "api.github.localhost");
}

TEST(GhKey, FlagSpellingsAndOrderDoNotMatter) {
  const std::string base = key_of({"issue", "list", "-R", "o/r", "--limit", "5", "-s", "closed"});
  EXPECT_EQ(base, "GH github.com o/r out=pipe issue list --limit=5 --state=closed");
  for (const Args& args :
       std::vector<Args>{{"issue", "list", "--state=closed", "--repo=o/r", "-L5"},
                         {"issue", "list", "-s", "closed", "-L=5", "--repo", "O/R"},
                         {"issue", "list", "-Ro/r", "--limit=5", "--state", "closed"},
                         {"issue", "list", "-R", "github.com/o/r", "-L", "5", "-sclosed"}}) {
    EXPECT_EQ(key_of(args), base) << args[2] << args[3];
  }
  Context env_repo = pipe_context();
  env_repo.env_repo = "o/r";
  EXPECT_EQ(key_of({"issue", "list", "-L", "5", "--state", "closed"}, env_repo), base);
  // --json field lists are sets; --jq, --template and the values are part of the key.
  EXPECT_EQ(key_of({"repo", "view", "o/r", "--json", "name,owner,name"}),
            key_of({"repo", "view", "o/r", "--json=owner,name"}));
  EXPECT_NE(key_of({"repo", "view", "o/r", "--json", "name", "-q", ".name"}),
            key_of({"repo", "view", "o/r", "--json", "name"}));
  EXPECT_NE(key_of({"repo", "view", "o/r", "--json", "name", "-t", "{{.name}}"}),
            key_of({"repo", "view", "o/r", "--json", "name"}));
  EXPECT_NE(key_of({"issue", "list", "-R", "o/r", "-L", "6"}),
            key_of({"issue", "list", "-R", "o/r", "-L", "5"}));
  // Repeated flags keep their order; positionals are kept.
  EXPECT_EQ(key_of({"issue", "view", "7", "-R", "o/r", "-c"}),
            "GH github.com o/r out=pipe issue view 7 --comments");
  EXPECT_EQ(key_of({"issue", "list", "-R", "o/r", "-S", "is:open label:\"a b\""}),
            "GH github.com o/r out=pipe issue list \"--search=is:open label:\\\"a b\\\"\"");
}

TEST(GhKey, OutputModeAndHostArePartOfTheKey) {
  Context tty = pipe_context();
  tty.tty_columns = 120;
  const Args args = {"run", "list", "-R", "o/r"};
  EXPECT_EQ(key_of(args, tty), "GH github.com o/r out=tty:120 run list");
  Context colorless = pipe_context();
  colorless.output_env = {"NO_COLOR=1", "TZ=Europe/Paris"};
  EXPECT_EQ(key_of(args, colorless),
            "GH github.com o/r out=pipe,NO_COLOR=1,TZ=Europe/Paris run list");
  Context ghe = pipe_context();
  ghe.host = "ghe.corp";
  EXPECT_EQ(key_of(args, ghe), "GH ghe.corp o/r out=pipe run list");
  EXPECT_EQ(key_of({"run", "list", "-R", "other.host/o/r"}, ghe),
            "GH other.host o/r out=pipe run list");
  EXPECT_EQ(key_of({"issue", "view", "https://GitHub.com/O/R/issues/5"}),
            "GH github.com o/r out=pipe issue view https://GitHub.com/O/R/issues/5");
}

TEST(GhKey, RepositoryFromGitRemotesOnlyWhenNeeded) {
  int calls = 0;
  const Context git = pipe_context("remote.origin.url git@github.com:Owner/Repo.git\n", &calls);
  EXPECT_EQ(key_of({"pr", "list"}, git), "GH github.com owner/repo out=pipe pr list");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(key_of({"pr", "list", "-R", "a/b"}, git), "GH github.com a/b out=pipe pr list");
  EXPECT_EQ(key_of({"repo", "view", "a/b"}, git), "GH github.com a/b out=pipe repo view");
  EXPECT_EQ(key_of({"repo", "list"}, git), "GH github.com - out=pipe repo list");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(key_of({"repo", "view"}, git), "GH github.com owner/repo out=pipe repo view");
  // No repository: run gh uncached.
  const Plan none = plan_of({"issue", "list"}, pipe_context(std::nullopt));
  EXPECT_EQ(none.action, Action::read);
  EXPECT_FALSE(none.key);
  EXPECT_FALSE(none.why.empty());
}

TEST(GhKey, UncacheableReads) {
  for (const Args& args : std::vector<Args>{
           {"run", "view", "-R", "o/r"},  // would prompt for a run
           {"pr", "view", "-R", "o/r"},   // the current branch's PR
           {"pr", "checks", "5", "-R", "o/r", "--watch"},
           {"run", "list", "-R", "o/r", "--web"},  // unknown to run list (-w is --workflow)
           {"issue", "list", "-R", "o/r", "-w"},
           {"issue", "list", "-R", "o/r", "--unknown"},
           {"issue", "list", "-R", "o/r", "--limit"},  // missing value
           {"repo", "view", "justaname"},              // owner = the logged-in user
           {"issue", "list", "-R", "o/r", "-S", "ghp_0123456789abcdef"},
           {"api", "repos/o/r", "-H", "Authorization: token abc"},
           {"api", "repos/{owner}/{repo}/branches/{branch}"},
           {"api", "repos/{owner}/{repo}"},  // no repository known
           {"api", "-X", "GET", "search/issues", "-F", "q=@file"}}) {
    const Plan p = plan_of(args);
    EXPECT_EQ(p.action, Action::read) << args[0] << " " << args[1];
    EXPECT_FALSE(p.key) << p.key->text;
    EXPECT_FALSE(p.why.empty());
  }
  EXPECT_TRUE(plan_of({"run", "list", "-R", "o/r", "-w", "ci.yml"}).key);  // --workflow
}

TEST(GhKey, ApiReads) {
  EXPECT_EQ(key_of({"api", "/repos/O/R"}), "GH github.com o/r out=pipe api repos/O/R");
  EXPECT_EQ(key_of({"api", "user", "--paginate"}), "GH github.com - out=pipe api user --paginate");
  EXPECT_EQ(key_of({"api", "user", "--hostname", "GHE.corp"}),
            "GH ghe.corp - out=pipe api user --hostname=GHE.corp");
  // -X GET turns fields into query parameters; their order does not matter.
  EXPECT_EQ(key_of({"api", "-X", "get", "search/issues", "-f", "q=x", "-f", "per_page=5"}),
            key_of({"api", "search/issues", "-f", "per_page=5", "--method=GET", "-f", "q=x"}));
  const std::string query = key_of({"api", "graphql", "-f", "query={ viewer { login } }"});
  EXPECT_TRUE(query.starts_with("GH github.com - out=pipe api graphql ")) << query;
  const Context git = pipe_context("remote.up.url https://github.com/a/b\n");
  EXPECT_EQ(key_of({"api", "repos/{owner}/{repo}/pulls"}, git),
            "GH github.com a/b out=pipe api repos/{owner}/{repo}/pulls");
}

TEST(GhTtl, ClassesAndOverrides) {
  const auto ttl = [](const Args& args, const cache::TtlPolicy& policy = kPolicy) {
    const Plan p = plan(args, pipe_context(), policy);
    return p.key ? p.ttl.count() : -1;
  };
  EXPECT_EQ(ttl({"run", "list", "-R", "o/r"}), kRunsTtl.count());
  EXPECT_EQ(ttl({"workflow", "view", "ci.yml", "-R", "o/r"}), kWorkflowsTtl.count());
  EXPECT_EQ(ttl({"repo", "view", "o/r"}), kReposTtl.count());
  EXPECT_EQ(ttl({"pr", "list", "-R", "o/r"}), kIssuesTtl.count());
  EXPECT_EQ(ttl({"release", "list", "-R", "o/r"}), kDefaultGhTtl.count());
  EXPECT_EQ(ttl({"api", "repos/o/r/actions/runs"}), 60);  // the engine's workflow_runs class
  EXPECT_EQ(ttl({"api", "repos/o/r"}), 300);              // repos
  EXPECT_EQ(ttl({"api", "user"}), kDefaultGhTtl.count());
  const auto policy =
      cache::TtlPolicy::parse("/gh/run/** = 7\n/gh/issue/list = 0\n", cache::kDefaultTtl);
  ASSERT_TRUE(policy) << policy.error();
  EXPECT_EQ(ttl({"run", "view", "9", "-R", "o/r"}, *policy), 7);
  EXPECT_EQ(ttl({"issue", "list", "-R", "o/r"}, *policy), -1);  // TTL 0: not cached
  EXPECT_EQ(ttl({"issue", "view", "1", "-R", "o/r"}, *policy), kIssuesTtl.count());
}

TEST(GhKey, NeverHoldsACredential) {
  Context c = pipe_context();
  c.env_repo = "o/r";
  for (const Args& args : std::vector<Args>{{"issue", "list", "--author", "ghp_0123456789abcdef"},
                                            {"api", "user?x=ghp_0123456789abcdef"}}) {
    const Plan p = plan_of(args, c);
    EXPECT_FALSE(p.key);
  }
  EXPECT_TRUE(contains_secret("a ghp_0123456789abcdef b", c.secrets));
  EXPECT_FALSE(contains_secret("short", {"short"}));  // under kMinSecretBytes: ignored
}

TEST(GhRepo, Urls) {
  const Repo r{"github.com", "o", "r"};
  EXPECT_EQ(parse_repo_url("https://github.com/o/r"), r);
  EXPECT_EQ(parse_repo_url("https://www.GitHub.com/O/R.git"), r);
  EXPECT_EQ(parse_repo_url("https://user:pw@github.com/o/r/pull/3"), r);
  EXPECT_EQ(parse_repo_url("git@github.com:o/r.git"), r);
  EXPECT_EQ(parse_repo_url("ssh://git@ssh.github.com:443/o/r.git"), r);
  EXPECT_EQ(parse_repo_url("git://github.com/o/r"), r);
  EXPECT_EQ(parse_repo_url("http://localhost:8080/o/r"), (Repo{"localhost:8080", "o", "r"}));
  for (const char* bad :
       {"", "github.com", "https://github.com/o", "ftp://github.com/o/r",
        "https://github.com/o/r r", "/local/path/repo", "https://github.com/../r"}) {
    EXPECT_FALSE(parse_repo_url(bad)) << bad;
  }
  EXPECT_EQ(parse_repo_arg("o/r", "github.com"), r);
  EXPECT_EQ(parse_repo_arg("ghe.corp/o/r", "github.com"), (Repo{"ghe.corp", "o", "r"}));
  EXPECT_FALSE(parse_repo_arg("r", "github.com"));
  EXPECT_FALSE(parse_repo_arg("a/b/c/d", "github.com"));
}

TEST(GhRepo, GitRemotes) {
  const Repo origin{"github.com", "me", "fork"};
  EXPECT_EQ(repo_from_git_remotes("remote.origin.url https://github.com/me/fork.git\n"), origin);
  EXPECT_FALSE(repo_from_git_remotes(""));
  // Two remotes and no `gh repo set-default`: gh would ask.
  const std::string two =
      "remote.origin.url https://github.com/me/fork.git\n"
      "remote.up.stream.url git@github.com:them/proj.git\n";
  EXPECT_FALSE(repo_from_git_remotes(two));
  EXPECT_EQ(repo_from_git_remotes(two + "remote.up.stream.gh-resolved base\n"),
            (Repo{"github.com", "them", "proj"}));
  EXPECT_EQ(repo_from_git_remotes(two + "remote.origin.gh-resolved other/x\n"),
            (Repo{"github.com", "other", "x"}));
  EXPECT_FALSE(repo_from_git_remotes("remote.origin.url /srv/git/repo\n"));
}

TEST(GhKey, QuoteField) {
  EXPECT_EQ(quote_field("plain"), "plain");
  EXPECT_EQ(quote_field(""), "\"\"");
  EXPECT_EQ(quote_field("a b"), "\"a b\"");
  EXPECT_EQ(quote_field("q\"\\\n"), "\"q\\\"\\\\\\x0a\"");
  // Two different argument lists never make the same key text.
  EXPECT_NE(key_of({"issue", "view", "1 --comments", "-R", "o/r"}),
            key_of({"issue", "view", "1", "--comments", "-R", "o/r"}));
}

}  // namespace
}  // namespace ipfsa::cli::gh
