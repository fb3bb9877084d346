#include "cli/gh/commands.hpp"

#include <algorithm>

namespace ipfsa::cli::gh {
namespace {

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

}  // namespace

const CommandSpec* find_command(std::string_view group, std::string_view sub) {
  for (const auto& c : kCommands) {
    if (c.group == group && c.sub == sub) return &c;
  }
  return nullptr;
}

std::span<const FlagSpec> api_flags() { return kApi; }

bool is_passthrough_group(std::string_view group) { return contains(kPassthroughGroups, group); }

bool is_read_only_subcommand(std::string_view sub) { return contains(kReadOnlySubcommands, sub); }

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


}  // namespace ipfsa::cli::gh
