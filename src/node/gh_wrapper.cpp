#include "node/gh_wrapper.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <span>

#include "base/ascii.hpp"
#include "node/github_gateway.hpp"

namespace ipfsa::node::gh {
namespace {

using std::chrono::seconds;

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
  seconds ttl;
};

using K = FlagKind;
constexpr FlagSpec kRunList[] = {{"branch", 'b', K::value},   {"jq", 'q', K::value},
                                 {"json", 0, K::fields},      {"limit", 'L', K::value},
                                 {"template", 't', K::value}, {"user", 'u', K::value},
                                 {"workflow", 'w', K::value}};
constexpr FlagSpec kRunView[] = {
    {"exit-status", 0, K::boolean}, {"job", 'j', K::value},       {"jq", 'q', K::value},
    {"json", 0, K::fields},         {"log", 0, K::boolean},       {"log-failed", 0, K::boolean},
    {"template", 't', K::value},    {"verbose", 'v', K::boolean}, {"web", 'w', K::blocks_bool}};
constexpr FlagSpec kRepoView[] = {{"branch", 'b', K::value},
                                  {"jq", 'q', K::value},
                                  {"json", 0, K::fields},
                                  {"template", 't', K::value},
                                  {"web", 'w', K::blocks_bool}};
constexpr FlagSpec kRepoList[] = {
    {"archived", 0, K::boolean},    {"fork", 0, K::boolean},     {"jq", 'q', K::value},
    {"json", 0, K::fields},         {"language", 'l', K::value}, {"limit", 'L', K::value},
    {"no-archived", 0, K::boolean}, {"source", 0, K::boolean},   {"template", 't', K::value},
    {"topic", 0, K::value},         {"visibility", 0, K::value}};
constexpr FlagSpec kIssueList[] = {
    {"app", 0, K::value},        {"assignee", 'a', K::value}, {"author", 'A', K::value},
    {"jq", 'q', K::value},       {"json", 0, K::fields},      {"label", 'l', K::value},
    {"limit", 'L', K::value},    {"mention", 0, K::value},    {"milestone", 'm', K::value},
    {"search", 'S', K::value},   {"state", 's', K::value},    {"template", 't', K::value},
    {"web", 'w', K::blocks_bool}};
constexpr FlagSpec kIssueView[] = {{"comments", 'c', K::boolean},
                                   {"jq", 'q', K::value},
                                   {"json", 0, K::fields},
                                   {"template", 't', K::value},
                                   {"web", 'w', K::blocks_bool}};
constexpr FlagSpec kReleaseView[] = {{"jq", 'q', K::value},
                                     {"json", 0, K::fields},
                                     {"template", 't', K::value},
                                     {"web", 'w', K::blocks_bool}};
constexpr FlagSpec kPrList[] = {
    {"app", 0, K::value},        {"assignee", 'a', K::value}, {"author", 'A', K::value},
    {"base", 'B', K::value},     {"draft", 'd', K::boolean},  {"head", 'H', K::value},
    {"jq", 'q', K::value},       {"json", 0, K::fields},      {"label", 'l', K::value},
    {"limit", 'L', K::value},    {"search", 'S', K::value},   {"state", 's', K::value},
    {"template", 't', K::value}, {"web", 'w', K::blocks_bool}};
constexpr FlagSpec kPrChecks[] = {{"interval", 'i', K::blocks_value},
                                  {"required", 0, K::boolean},
                                  {"watch", 0, K::blocks_bool},
                                  {"web", 'w', K::blocks_bool}};
constexpr FlagSpec kPrDiff[] = {{"color", 0, K::value},
                                {"name-only", 0, K::boolean},
                                {"patch", 0, K::boolean},
                                {"web", 'w', K::blocks_bool}};
constexpr FlagSpec kReleaseList[] = {{"exclude-drafts", 0, K::boolean},
                                     {"exclude-pre-releases", 0, K::boolean},
                                     {"limit", 'L', K::value}};
constexpr FlagSpec kWorkflowList[] = {{"all", 'a', K::boolean}, {"limit", 'L', K::value}};
constexpr FlagSpec kWorkflowView[] = {
    {"ref", 'r', K::value}, {"web", 'w', K::blocks_bool}, {"yaml", 'y', K::boolean}};
constexpr FlagSpec kLabelList[] = {{"jq", 'q', K::value},       {"json", 0, K::fields},
                                   {"limit", 'L', K::value},    {"order", 0, K::value},
                                   {"search", 'S', K::value},   {"sort", 0, K::value},
                                   {"template", 't', K::value}, {"web", 'w', K::blocks_bool}};
constexpr FlagSpec kApi[] = {
    {"cache", 0, K::value},     {"field", 'F', K::value},     {"header", 'H', K::value},
    {"hostname", 0, K::value},  {"include", 'i', K::boolean}, {"input", 0, K::value},
    {"jq", 'q', K::value},      {"method", 'X', K::value},    {"paginate", 0, K::boolean},
    {"preview", 'p', K::value}, {"raw-field", 'f', K::value}, {"silent", 0, K::boolean},
    {"template", 't', K::value}};

constexpr auto R = RepoSource::context;
constexpr CommandSpec kCommands[] = {
    {"run", "list", kRunList, 0, 0, R, true, "gh_runs", kRunsTtl},
    {"run", "view", kRunView, 1, 1, R, true, "gh_runs", kRunsTtl},
    {"repo", "view", kRepoView, 0, 1, RepoSource::positional, false, "gh_repos", kReposTtl},
    {"repo", "list", kRepoList, 0, 1, RepoSource::none, false, "gh_repos", kReposTtl},
    {"issue", "list", kIssueList, 0, 0, R, true, "gh_issues", kIssuesTtl},
    {"issue", "view", kIssueView, 1, 1, RepoSource::url_or_context, true, "gh_issues", kIssuesTtl},
    {"pr", "list", kPrList, 0, 0, R, true, "gh_pulls", kIssuesTtl},
    {"pr", "view", kIssueView, 1, 1, RepoSource::url_or_context, true, "gh_pulls", kIssuesTtl},
    {"pr", "checks", kPrChecks, 1, 1, RepoSource::url_or_context, true, "gh_pulls", kIssuesTtl},
    {"pr", "diff", kPrDiff, 1, 1, RepoSource::url_or_context, true, "gh_pulls", kIssuesTtl},
    {"release", "list", kReleaseList, 0, 0, R, true, "gh_default", kDefaultGhTtl},
    {"release", "view", kReleaseView, 0, 1, R, true, "gh_default", kDefaultGhTtl},
    {"workflow", "list", kWorkflowList, 0, 0, R, true, "gh_workflows", kWorkflowsTtl},
    {"workflow", "view", kWorkflowView, 1, 1, R, true, "gh_workflows", kWorkflowsTtl},
    {"label", "list", kLabelList, 0, 0, R, true, "gh_default", kDefaultGhTtl},
};

// Commands that change nothing on GitHub (or only local files) and are not cached.
constexpr std::string_view kPassthroughGroups[] = {
    "auth",   "browse",    "completion", "config",  "alias",       "extension",
    "help",   "status",    "search",     "actions", "environment", "formatting",
    "mintty", "reference", "exit-codes", "version", "gpg-key",     "ssh-key"};
constexpr std::string_view kReadOnlySubcommands[] = {
    "list", "view", "status", "checks", "diff", "download", "watch", "clone", "checkout", "ls"};

bool contains(std::span<const std::string_view> set, std::string_view s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
  return out;
}

bool valid_name(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool valid_host(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':';
  });
}

std::string normal_host(std::string_view host) {
  std::string h = ascii_lower(host);
  if (h.starts_with("www.")) h.erase(0, 4);
  if (h == "ssh.github.com") h = "github.com";  // gh maps GitHub's SSH-over-443 host back
  return h;
}

std::optional<Repo> make_repo(std::string_view host, std::string_view path) {
  while (path.starts_with('/')) path.remove_prefix(1);
  const auto slash = path.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view owner = path.substr(0, slash);
  std::string_view name = path.substr(slash + 1);
  name = name.substr(0, name.find('/'));
  if (name.ends_with(".git")) name.remove_suffix(4);
  if (!valid_name(owner) || !valid_name(name) || !valid_host(host)) return std::nullopt;
  return Repo{normal_host(host), ascii_lower(owner), ascii_lower(name)};
}

struct ParsedArgs {
  std::vector<std::string> positionals;
  std::vector<std::pair<std::string, std::string>> flags;  // name, normalised token
  std::optional<std::string> repo;                         // -R/--repo value
  std::string error;                                       // not understood or not cacheable
};

std::string join_fields(std::string_view list) {
  std::vector<std::string> fields;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view f = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    while (!f.empty() && f.front() == ' ') f.remove_prefix(1);
    while (!f.empty() && f.back() == ' ') f.remove_suffix(1);
    if (!f.empty()) fields.emplace_back(f);
  }
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ",") + f;
  return out;
}

// Records one flag occurrence; false (with args.error set) if it blocks caching.
bool add_flag(ParsedArgs& args, const FlagSpec& spec, std::optional<std::string_view> value) {
  const std::string name(spec.name);
  switch (spec.kind) {
    case K::blocks_bool:
    case K::blocks_value:
      args.error = "--" + name + " is interactive";
      return false;
    case K::boolean:
      if (!value || *value == "true") {
        args.flags.emplace_back(name, "--" + name);
      } else {
        args.flags.emplace_back(name, "--" + name + "=" + std::string(*value));
      }
      return true;
    case K::fields:
      args.flags.emplace_back(name, "--" + name + "=" + join_fields(*value));
      return true;
    case K::value:
      args.flags.emplace_back(name, "--" + name + "=" + std::string(*value));
      return true;
  }
  return false;
}

// pflag syntax: --name[=value], --name value, -abc (booleans), -xVALUE, -x=VALUE, -x VALUE, "--"
// ends flags; flags and positionals may be interleaved.
ParsedArgs parse_args(const std::vector<std::string>& argv, std::size_t first,
                      std::span<const FlagSpec> specs, bool repo_flag) {
  ParsedArgs out;
  const auto takes_value = [](const FlagSpec& s) {
    return s.kind != K::boolean && s.kind != K::blocks_bool;
  };
  for (std::size_t i = first; i < argv.size(); ++i) {
    const std::string_view a = argv[i];
    const auto next = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argv.size()) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    if (a == "--") {
      for (++i; i < argv.size(); ++i) out.positionals.push_back(argv[i]);
      break;
    }
    if (a.starts_with("--")) {
      const auto eq = a.find('=');
      const std::string_view name = a.substr(2, eq == std::string_view::npos ? a.npos : eq - 2);
      std::optional<std::string_view> value;
      if (eq != std::string_view::npos) value = a.substr(eq + 1);
      if (repo_flag && name == "repo") {
        if (!value) value = next();
        if (!value) return out.error = "--repo needs a value", out;
        out.repo = std::string(*value);
        continue;
      }
      const auto spec = std::find_if(specs.begin(), specs.end(),
                                     [&](const FlagSpec& s) { return s.name == name; });
      if (spec == specs.end()) return out.error = "unknown flag --" + std::string(name), out;
      if (takes_value(*spec) && !value) value = next();
      if (takes_value(*spec) && !value)
        return out.error = "--" + std::string(name) + " needs a value", out;
      if (!add_flag(out, *spec, value)) return out;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      for (std::size_t j = 1; j < a.size(); ++j) {
        const char c = a[j];
        std::string_view rest = a.substr(j + 1);
        if (rest.starts_with('=')) rest.remove_prefix(1);
        const bool is_repo = repo_flag && c == 'R';
        const auto spec = std::find_if(specs.begin(), specs.end(),
                                       [&](const FlagSpec& s) { return s.shorthand == c; });
        if (!is_repo && spec == specs.end()) {
          return out.error = std::string("unknown flag -") + c, out;
        }
        if (is_repo || takes_value(*spec)) {
          std::optional<std::string_view> value = rest;
          if (rest.empty()) value = next();
          if (!value) return out.error = std::string("-") + c + " needs a value", out;
          if (is_repo) {
            out.repo = std::string(*value);
          } else if (!add_flag(out, *spec, value)) {
            return out;
          }
          break;
        }
        if (!add_flag(out, *spec, std::nullopt)) return out;
      }
      continue;
    }
    out.positionals.emplace_back(a);
  }
  return out;
}

std::string output_mode(const Context& context) {
  std::string out =
      context.tty_columns > 0 ? "out=tty:" + std::to_string(context.tty_columns) : "out=pipe";
  for (const auto& e : context.output_env) out += "," + e;
  return out;
}

std::optional<Repo> context_repo(const Context& context, const std::optional<std::string>& flag) {
  if (flag) return parse_repo_arg(*flag, context.host);
  if (!context.env_repo.empty()) return parse_repo_arg(context.env_repo, context.host);
  if (!context.git_remotes) return std::nullopt;
  const auto remotes = context.git_remotes();
  if (!remotes) return std::nullopt;
  return repo_from_git_remotes(*remotes);
}

bool any_secret(const std::vector<std::string>& args, const Context& context) {
  return std::any_of(args.begin(), args.end(),
                     [&](const std::string& a) { return contains_secret(a, context.secrets); });
}

std::string build_text(std::string_view host, std::string_view scope, const Context& context,
                       const std::vector<std::string>& tokens) {
  std::string text = "GH " + std::string(host) + " " + std::string(scope) + " " +
                     quote_field(output_mode(context));
  for (const auto& t : tokens) text += " " + quote_field(t);
  return text;
}

Plan read_without_key(std::string why) {
  Plan p;
  p.action = Action::read;
  p.why = std::move(why);
  return p;
}

// Sets key, ttl and class on `plan` (or `why` when the key is unusable or the TTL is 0).
void finish_key(Plan& plan, std::string text, std::string path, const cache::TtlPolicy& policy,
                std::string_view ttl_class, seconds ttl) {
  if (text.size() > cache::kMaxKeyBytes) {
    plan.why = "command line too long for a cache key";
    return;
  }
  const auto rule = policy.classify_path(path);
  if (rule.route_class != "default") {  // a CACHE_TTL_FILE rule (or, for `api`, a route class)
    ttl_class = rule.route_class;
    ttl = rule.ttl;
  }
  if (ttl.count() == 0) {
    plan.why = "TTL class " + std::string(ttl_class) + " is 0";
    return;
  }
  plan.key = cache::make_key(cache::ApiKind::rest, std::move(text), std::move(path));
  plan.ttl = ttl;
  plan.ttl_class = std::string(ttl_class);
}

std::string substitute(std::string s, const std::optional<Repo>& repo) {
  if (!repo) return s;
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"{owner}", repo->owner},
                          {"{repo}", repo->name}}) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
      s.replace(pos, from.size(), to);
    }
  }
  return s;
}

// The endpoint's path relative to the API root, without query: "repos/o/r/issues".
std::string endpoint_path(std::string_view endpoint) {
  if (const auto scheme = endpoint.find("://"); scheme != std::string_view::npos) {
    endpoint.remove_prefix(scheme + 3);
    const auto slash = endpoint.find('/');
    endpoint = slash == std::string_view::npos ? std::string_view{} : endpoint.substr(slash);
  }
  while (endpoint.starts_with('/')) endpoint.remove_prefix(1);
  if (endpoint.starts_with("api/v3/")) endpoint.remove_prefix(7);
  return std::string(endpoint.substr(0, endpoint.find('?')));
}

Plan plan_api(const std::vector<std::string>& args, const Context& context,
              const cache::TtlPolicy& policy) {
  const ParsedArgs parsed = parse_args(args, 1, kApi, false);
  Plan write;
  write.action = Action::write;
  if (!parsed.error.empty() || parsed.positionals.size() != 1) {
    // Not understood: it may write, so it invalidates the whole host.
    write.invalidate = invalidation_prefixes(context.host, std::nullopt);
    return write;
  }
  std::string host = context.host;
  std::string method;
  bool has_fields = false, has_input = false, uses_placeholders = false, uses_branch = false;
  bool reads_file = false, has_auth_header = false;
  std::optional<std::string> graphql_query;
  std::vector<std::string> tokens = {"api", parsed.positionals[0]};
  while (tokens[1].starts_with('/')) tokens[1].erase(0, 1);
  std::vector<std::string> flag_tokens;
  const auto note_placeholders = [&](std::string_view v) {
    uses_placeholders |= v.find("{owner}") != v.npos || v.find("{repo}") != v.npos;
    uses_branch |= v.find("{branch}") != v.npos;
  };
  note_placeholders(parsed.positionals[0]);
  for (const auto& [name, token] : parsed.flags) {
    const std::string_view value = token.size() > name.size() + 2
                                       ? std::string_view(token).substr(name.size() + 3)
                                       : std::string_view{};
    if (name == "hostname") host = normal_host(value);
    if (name == "method") {
      method = upper(value);
      continue;  // the effective method decides; it is not part of the key
    }
    if (name == "input") has_input = true;
    if (name == "field" || name == "raw-field") {
      has_fields = true;
      note_placeholders(value);
      if (name == "field" && value.find("=@") != value.npos) reads_file = true;
      if (value.starts_with("query=")) graphql_query = std::string(value.substr(6));
    }
    if (name == "header" && ascii_lower(value).starts_with("authorization")) has_auth_header = true;
    flag_tokens.push_back(token);
  }
  if (method.empty()) method = (has_fields || has_input) ? "POST" : "GET";
  const std::string path_raw = endpoint_path(parsed.positionals[0]);
  const bool graphql = path_raw == "graphql";
  bool reads = method == "GET" && !has_input;
  if (graphql && method == "POST" && !has_input && graphql_query &&
      !graphql_query->starts_with('@')) {
    reads = !is_graphql_mutation(*graphql_query);
  }
  std::optional<Repo> ctx;
  if (uses_placeholders) ctx = context_repo(context, std::nullopt);
  const std::string path = substitute(path_raw, ctx);
  std::optional<Repo> repo;
  if (path.starts_with("repos/")) repo = make_repo(host, path.substr(6));
  if (!repo && uses_placeholders) repo = ctx;
  if (!reads) {
    write.invalidate = invalidation_prefixes(repo ? repo->host : host, repo);
    return write;
  }
  if (any_secret(args, context) || has_auth_header)
    return read_without_key("credential in the arguments");
  if (reads_file) return read_without_key("-F reads a file");
  if (uses_branch) return read_without_key("{branch} depends on the checkout");
  if (uses_placeholders && !ctx) return read_without_key("no repository for {owner}/{repo}");
  std::sort(flag_tokens.begin(), flag_tokens.end());
  tokens.insert(tokens.end(), flag_tokens.begin(), flag_tokens.end());
  Plan p;
  p.action = Action::read;
  const std::string scope =
      (repo && (uses_placeholders || path.starts_with("repos/"))) ? repo->slug() : std::string("-");
  const std::string key_host = repo ? repo->host : host;
  finish_key(p, build_text(key_host, scope, context, tokens), "/" + path, policy, "gh_default",
             kDefaultGhTtl);
  if (!p.key && p.why.empty()) p.why = "not cacheable";
  return p;
}

std::optional<Repo> repo_for_write(const std::vector<std::string>& args, const Context& context) {
  std::optional<std::string> flag;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if ((a == "-R" || a == "--repo") && i + 1 < args.size()) flag = args[i + 1];
    if (a.starts_with("--repo=")) flag = std::string(a.substr(7));
    if (a.starts_with("-R") && a.size() > 2) flag = std::string(a.substr(a[2] == '=' ? 3 : 2));
  }
  if (flag) return parse_repo_arg(*flag, context.host);
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i].starts_with("https://") || args[i].starts_with("http://")) {
      if (auto r = parse_repo_url(args[i])) return r;
    }
  }
  if (args[0] == "repo" && args.size() > 2 && args[2].find('/') != std::string::npos) {
    return parse_repo_arg(args[2], context.host);
  }
  return context_repo(context, std::nullopt);
}

}  // namespace

std::string_view to_string(Action action) noexcept {
  switch (action) {
    case Action::read:
      return "read";
    case Action::passthrough:
      return "passthrough";
    case Action::write:
      return "write";
  }
  return "?";
}

Plan plan(const std::vector<std::string>& args, const Context& context,
          const cache::TtlPolicy& policy) {
  Plan passthrough;
  if (args.empty() || args[0].starts_with('-') || contains(kPassthroughGroups, args[0])) {
    return passthrough;
  }
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    return passthrough;
  }
  if (args[0] == "api") return plan_api(args, context, policy);
  const CommandSpec* spec = nullptr;
  if (args.size() >= 2) {
    for (const auto& c : kCommands) {
      if (c.group == args[0] && c.sub == args[1]) spec = &c;
    }
  }
  if (!spec) {
    if (args.size() >= 2 && !args[1].starts_with('-') && contains(kReadOnlySubcommands, args[1])) {
      return passthrough;
    }
    Plan write;
    write.action = Action::write;
    const auto repo = repo_for_write(args, context);
    write.invalidate = invalidation_prefixes(repo ? repo->host : context.host, repo);
    return write;
  }
  if (args.size() > kMaxArgs) return read_without_key("too many arguments");
  if (any_secret(args, context)) return read_without_key("credential in the arguments");
  ParsedArgs parsed = parse_args(args, 2, spec->flags, spec->repo_flag);
  if (!parsed.error.empty()) return read_without_key(parsed.error);
  if (parsed.positionals.size() < spec->min_positionals ||
      parsed.positionals.size() > spec->max_positionals) {
    return read_without_key("gh would prompt or use the current branch");
  }
  std::optional<Repo> repo;
  std::string scope = "-";
  switch (spec->repo) {
    case RepoSource::none:
      break;
    case RepoSource::positional:
      if (!parsed.positionals.empty()) {
        repo = parse_repo_arg(parsed.positionals[0], context.host);
        if (!repo) return read_without_key("repository argument without an owner");
        parsed.positionals[0] = "";  // the repository is the key's scope
      } else {
        repo = context_repo(context, parsed.repo);
      }
      break;
    case RepoSource::url_or_context:
      if (parsed.positionals[0].find("://") != std::string::npos) {
        repo = parse_repo_url(parsed.positionals[0]);
        if (!repo) return read_without_key("URL that names no repository");
        break;
      }
      [[fallthrough]];
    case RepoSource::context:
      repo = context_repo(context, parsed.repo);
      break;
  }
  if (spec->repo != RepoSource::none) {
    if (!repo) return read_without_key("cannot tell the repository");
    scope = repo->slug();
  }
  std::vector<std::string> tokens = {std::string(spec->group), std::string(spec->sub)};
  for (const auto& p : parsed.positionals) {
    if (!p.empty()) tokens.push_back(p);
  }
  std::stable_sort(parsed.flags.begin(), parsed.flags.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& f : parsed.flags) tokens.push_back(f.second);
  Plan p;
  p.action = Action::read;
  const std::string host = repo ? repo->host : context.host;
  finish_key(p, build_text(host, scope, context, tokens),
             "/gh/" + std::string(spec->group) + "/" + std::string(spec->sub), policy,
             spec->ttl_class, spec->ttl);
  return p;
}

std::optional<Repo> parse_repo_url(std::string_view url) {
  if (const auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    const std::string scheme = ascii_lower(url.substr(0, scheme_end));
    if (scheme != "https" && scheme != "http" && scheme != "ssh" && scheme != "git" &&
        scheme != "git+ssh" && scheme != "ssh+git") {
      return std::nullopt;
    }
    std::string_view rest = url.substr(scheme_end + 3);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string_view authority = rest.substr(0, slash);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
      authority.remove_prefix(at + 1);
    }
    if (scheme != "https" && scheme != "http") authority = authority.substr(0, authority.find(':'));
    std::string_view path = rest.substr(slash);
    path = path.substr(0, path.find_first_of("?#"));
    return make_repo(authority, path);
  }
  // scp-like: [user@]host:owner/repo(.git)
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || url.substr(0, colon).find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view host = url.substr(0, colon);
  if (const auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  return make_repo(host, url.substr(colon + 1));
}

std::optional<Repo> parse_repo_arg(std::string_view arg, std::string_view default_host) {
  if (arg.find("://") != std::string_view::npos || arg.starts_with("git@")) {
    return parse_repo_url(arg);
  }
  const auto slashes = std::count(arg.begin(), arg.end(), '/');
  if (slashes == 1) return make_repo(default_host, arg);
  if (slashes == 2) {
    const auto slash = arg.find('/');
    return make_repo(arg.substr(0, slash), arg.substr(slash + 1));
  }
  return std::nullopt;
}

std::optional<Repo> repo_from_git_remotes(std::string_view text) {
  struct Remote {
    std::string url;
    std::string resolved;
  };
  std::vector<std::pair<std::string, Remote>> remotes;  // in config order
  const auto remote = [&](std::string_view name) -> Remote& {
    for (auto& [n, r] : remotes) {
      if (n == name) return r;
    }
    return remotes.emplace_back(std::string(name), Remote{}).second;
  };
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    const auto space = line.find(' ');
    if (space == std::string_view::npos) continue;
    const std::string_view var = line.substr(0, space);
    const std::string_view value = line.substr(space + 1);
    if (!var.starts_with("remote.")) continue;
    const auto dot = var.rfind('.');
    if (dot <= 7) continue;
    const std::string_view name = var.substr(7, dot - 7);
    const std::string_view field = var.substr(dot + 1);
    if (field == "url" && remote(name).url.empty()) remote(name).url = std::string(value);
    if (field == "gh-resolved") remote(name).resolved = std::string(value);
  }
  for (const auto& [name, r] : remotes) {
    if (r.resolved.empty()) continue;
    auto repo = parse_repo_url(r.url);
    if (r.resolved == "base" || !repo) return repo;
    return make_repo(repo->host, r.resolved);  // an explicit OWNER/REPO (older gh)
  }
  if (remotes.size() != 1) return std::nullopt;  // gh asks for `gh repo set-default`
  return parse_repo_url(remotes[0].second.url);
}

std::string api_host(std::string_view gh_host) {
  const std::string h = normal_host(gh_host);
  if (h == "github.com") return "api.github.com";
  if (h.ends_with(".localhost") || h == "localhost") return "api." + h;
  return h + "/api/v3";
}

std::vector<std::string> invalidation_prefixes(std::string_view host,
                                               const std::optional<Repo>& repo) {
  const std::string h = normal_host(host);
  if (!repo) return {"GH " + h + " "};
  return {"GH " + h + " " + repo->slug() + " ", "GH " + h + " - ",
          "GET " + api_host(h) + "/repos/" + repo->slug()};
}

bool contains_secret(std::string_view text, const std::vector<std::string>& secrets) {
  return std::any_of(secrets.begin(), secrets.end(), [&](const std::string& s) {
    return s.size() >= kMinSecretBytes && text.find(s) != std::string_view::npos;
  });
}

std::string quote_field(std::string_view field) {
  const bool plain = !field.empty() && std::all_of(field.begin(), field.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) return std::string(field);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : field) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace ipfsa::node::gh
