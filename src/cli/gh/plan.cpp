#include "cli/gh/plan.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <span>

#include "base/ascii.hpp"
#include "node/github_gateway.hpp"

namespace ipfsa::cli::gh {
namespace {

using std::chrono::seconds;

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
  const ParsedArgs parsed = parse_args(args, 1, api_flags(), false);
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
    reads = !node::is_graphql_mutation(*graphql_query);
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
  if (args.empty() || args[0].starts_with('-') || is_passthrough_group(args[0])) {
    return passthrough;
  }
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    return passthrough;
  }
  if (args[0] == "api") return plan_api(args, context, policy);
  const CommandSpec* spec = args.size() >= 2 ? find_command(args[0], args[1]) : nullptr;
  if (!spec) {
    if (args.size() >= 2 && !args[1].starts_with('-') && is_read_only_subcommand(args[1])) {
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

}  // namespace ipfsa::cli::gh
