// The GitHub tools (gh_api, gh_graphql, gh_invalidate_cache, list_workflow_runs, list_runners):
// reads through the backend's gateway, shaped for agents. Declared in tools_github.hpp.
#include "mcp/tools_github.hpp"

#include "node/github_api.hpp"
#include "mcp/server.hpp"

namespace ipfsa::mcp {
namespace json = boost::json;
namespace {

ToolOutput fail(std::string message) {
  ToolOutput out;
  out.is_error = true;
  out.message = std::move(message);
  return out;
}

std::string_view string_arg(const json::object& args, std::string_view name) {
  const auto* v = args.if_contains(name);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// Why a gateway call failed, in words an agent can act on. Never includes a token: error codes
// carry none, and we add only the path the agent gave us.
std::string gateway_failure(node::ServiceBackend& backend, const boost::system::error_code& ec) {
  if (ec == Error::rate_limited) {
    return "GitHub rate limit reached for this token; retry in " +
           std::to_string(backend.gateway().client().retry_after().count()) + " s";
  }
  if (ec == Error::unsupported)
    return "this request cannot go through the cache (credentials in the URL)";
  if (ec == Error::malformed) return "the request is malformed: " + ec.message();
  if (ec == Error::timeout) return "GitHub did not answer in time (timeout)";
  if (ec == Error::too_large) return "GitHub's answer is larger than the cache accepts";
  return "the GitHub request failed: " + ec.message();
}

// A body as JSON when it parses (bounded depth), else as a string.
json::value body_value(std::string_view body) {
  json::parse_options options;
  options.max_depth = 256;
  boost::system::error_code ec;
  auto v = json::parse(body, ec, {}, options);
  if (ec) return json::string(body);
  return v;
}

std::string too_large(std::size_t bytes) {
  return "the answer has " + std::to_string(bytes) +
         " bytes, more than this tool returns (kMaxToolOutputBytes = " +
         std::to_string(kMaxToolOutputBytes) +
         "); ask for less (a smaller per_page, a more specific path, or no paginate)";
}

struct Page {
  int status = 0;
  std::string cache_status;
  cache::Body body;
  std::string link;
};

Result<Page> rest_get(node::ServiceBackend& backend, std::string target) {
  node::RestCall call;
  call.target = std::move(target);
  auto answer = backend.gateway().rest(call);
  if (!answer) return answer.error();
  Page page;
  page.status = answer->entry ? answer->entry->status : 0;
  page.cache_status = std::string(cache::to_string(answer->status));
  if (answer->entry) {
    page.body = answer->entry->body;
    page.link = std::string(answer->entry->header("link"));
  }
  return page;
}

std::string origin_of(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  const auto slash = url.find('/', scheme + 3);
  return std::string(url.substr(0, slash));
}

bool is_2xx(int status) { return status >= 200 && status < 300; }

// {status, cache_status, body} with isError for a 4xx/5xx answer (the body says why).
ToolOutput page_output(const Page& page) {
  const std::size_t size = page.body ? page.body->size() : 0;
  if (size > kMaxToolOutputBytes) return fail(too_large(size));
  ToolOutput out;
  out.data["status"] = page.status;
  out.data["cache_status"] = page.cache_status;
  out.data["body"] = page.body ? body_value(*page.body) : json::value(nullptr);
  if (page.status >= 400) {
    out.is_error = true;
    out.message = "GitHub answered HTTP " + std::to_string(page.status) + ": " +
                  (page.body ? page.body->substr(0, 512) : std::string());
  }
  return out;
}

// The array a GitHub list answer carries: the body itself, or the one array-valued member of an
// object such as {"total_count": 3, "workflow_runs": [...]}.
json::array* list_of(json::value& body, std::string* member) {
  if (body.is_array()) return &body.get_array();
  if (!body.is_object()) return nullptr;
  json::array* found = nullptr;
  for (auto& [key, value] : body.get_object()) {
    if (!value.is_array()) continue;
    if (found != nullptr) return nullptr;  // ambiguous
    found = &value.get_array();
    *member = std::string(key);
  }
  return found;
}

}  // namespace

ToolOutput run_gh_api(node::ServiceBackend& backend, const json::object& args) {
  const std::string_view path = string_arg(args, "path");
  if (auto why = check_api_path(path); !why.empty()) return fail(why);
  if (const auto* m = args.if_contains("method")) {
    const std::string_view method = m->get_string();
    if (method != "GET" && method != "get") {
      return fail(
          "method " + std::string(method) +
          " is not offered: this server only reads (GET) through the cache; writes to GitHub "
          "are not exposed to agents");
    }
  }
  const auto* p = args.if_contains("paginate");
  const bool paginate = p != nullptr && p->get_bool();
  auto first = rest_get(backend, std::string(path));
  if (!first) return fail(gateway_failure(backend, first.error()));
  if (!paginate || !is_2xx(first->status)) return page_output(*first);

  // Follow Link rel="next" (same origin as the API only), merging the lists.
  const std::string api_origin = origin_of(backend.gateway().client().config().api_url);
  std::size_t total = first->body ? first->body->size() : 0;
  if (total > kMaxToolOutputBytes) return fail(too_large(total));
  json::value merged = first->body ? body_value(*first->body) : json::value(nullptr);
  std::string member;
  json::array* list = list_of(merged, &member);
  if (list == nullptr)
    return fail("paginate needs a list answer (a JSON array, or an object with one array)");
  std::size_t pages = 1;
  bool truncated = false;
  std::string link = first->link;
  std::string cache_status = first->cache_status;
  while (true) {
    auto next = node::find_link(link, "next");
    if (!next) break;
    if (pages >= kMaxPaginatePages) {
      truncated = true;
      break;
    }
    if (origin_of(*next) != api_origin)
      return fail("a pagination link points away from the GitHub API; stopped");
    auto page = rest_get(backend, *next);
    if (!page) return fail(gateway_failure(backend, page.error()));
    if (!is_2xx(page->status)) return page_output(*page);
    total += page->body ? page->body->size() : 0;
    if (total > kMaxToolOutputBytes) return fail(too_large(total));
    json::value body = page->body ? body_value(*page->body) : json::value(nullptr);
    std::string page_member;
    json::array* items = list_of(body, &page_member);
    if (items == nullptr || page_member != member)
      return fail("pages of different shapes; stopped");
    for (auto& item : *items) list->emplace_back(std::move(item));
    if (page->cache_status != cache_status) cache_status = "mixed";
    link = page->link;
    ++pages;
  }
  ToolOutput out;
  out.data["status"] = first->status;
  out.data["cache_status"] = cache_status;
  out.data["pages"] = pages;
  out.data["truncated"] = truncated;  // more pages than kMaxPaginatePages
  out.data["body"] = std::move(merged);
  return out;
}

ToolOutput run_gh_graphql(node::ServiceBackend& backend, const json::object& args) {
  node::GraphqlCall call;
  call.query = std::string(string_arg(args, "query"));
  if (node::is_graphql_mutation(call.query)) {
    return fail(
        "mutations and subscriptions are not offered: this server only runs GraphQL queries");
  }
  if (const auto* v = args.if_contains("variables")) call.variables_json = json::serialize(*v);
  auto answer = backend.gateway().graphql(call);
  if (!answer) return fail(gateway_failure(backend, answer.error()));
  Page page;
  page.status = answer->entry ? answer->entry->status : 0;
  page.cache_status = std::string(cache::to_string(answer->status));
  if (answer->entry) page.body = answer->entry->body;
  ToolOutput out = page_output(page);
  if (!out.is_error) {
    const auto& body = out.data["body"];
    const auto* errors = body.is_object() ? body.get_object().if_contains("errors") : nullptr;
    const auto* data = body.is_object() ? body.get_object().if_contains("data") : nullptr;
    if (errors != nullptr && (data == nullptr || data->is_null())) {
      out.is_error = true;
      out.message = "GraphQL errors: " + json::serialize(*errors).substr(0, 1024);
    }
  }
  return out;
}

ToolOutput run_gh_invalidate_cache(node::ServiceBackend& backend, const json::object& args) {
  std::string prefix(string_arg(args, "prefix"));
  const bool canonical =
      prefix.starts_with("GET ") || prefix.starts_with("HEAD ") || prefix.starts_with("POST ");
  if (!canonical) {
    // An API path: the canonical key text up to the Accept part ("GET host/repos/o/r").
    if (auto why = check_api_path(prefix); !why.empty()) return fail(why);
    const std::string api = backend.gateway().client().config().api_url;
    auto key_prefix = node::rest_key_prefix(api, prefix);
    if (!key_prefix) return fail("not an API path or cache key prefix: " + prefix);
    prefix = std::move(*key_prefix);
  }
  auto n = backend.gateway().cache().invalidate_prefix(prefix);
  if (!n) return fail("invalidation failed: " + n.error().message());
  ToolOutput out;
  out.data["prefix"] = prefix;
  out.data["invalidated"] = *n;
  return out;
}

namespace {

bool valid_name(std::string_view s, bool allow_dot_underscore) {
  if (s.empty() || s.size() > 100) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || (allow_dot_underscore && (c == '.' || c == '_'));
    if (!ok) return false;
  }
  return s != "." && s != "..";
}

std::string check_repo(std::string_view repo) {
  const auto slash = repo.find('/');
  if (slash == std::string_view::npos || !valid_name(repo.substr(0, slash), true) ||
      !valid_name(repo.substr(slash + 1), true)) {
    return "repo must be \"owner/name\" (letters, digits, '-', '_', '.'), got \"" +
           std::string(repo.substr(0, 200)) + "\"";
  }
  return "";
}

// Copies the named members of `from` that exist.
json::object pick(const json::value& from, std::initializer_list<std::string_view> names) {
  json::object out;
  if (!from.is_object()) return out;
  for (auto name : names) {
    if (const auto* v = from.get_object().if_contains(name)) out[name] = *v;
  }
  return out;
}

// A list answer reduced to the fields an agent needs: {status, cache_status, total_count,
// <member>}.
ToolOutput summarize(ToolOutput page, std::string_view member,
                     std::initializer_list<std::string_view> fields) {
  if (page.is_error) return page;
  json::value& body = page.data["body"];
  json::array summary;
  json::value total = nullptr;
  if (body.is_object()) {
    if (const auto* t = body.get_object().if_contains("total_count")) total = *t;
    if (const auto* list = body.get_object().if_contains(member);
        list != nullptr && list->is_array()) {
      for (const auto& item : list->get_array()) {
        json::object o = pick(item, fields);
        if (const auto* labels =
                item.is_object() ? item.get_object().if_contains("labels") : nullptr;
            labels != nullptr && labels->is_array()) {
          json::array names;
          for (const auto& l : labels->get_array()) {
            if (l.is_object() && l.get_object().contains("name"))
              names.push_back(l.get_object().at("name"));
          }
          o["labels"] = std::move(names);
        }
        summary.emplace_back(std::move(o));
      }
    }
  }
  page.data.erase("body");
  page.data["total_count"] = total;
  page.data[member] = std::move(summary);
  return page;
}

}  // namespace

ToolOutput run_list_workflow_runs(node::ServiceBackend& backend, const json::object& args) {
  const std::string_view repo = string_arg(args, "repo");
  if (auto why = check_repo(repo); !why.empty()) return fail(why);
  std::string target = "repos/" + std::string(repo) + "/actions/runs";
  std::string query;
  auto add = [&](std::string_view name, std::string_view value) {
    query += query.empty() ? "?" : "&";
    query += std::string(name) + "=" + node::percent_encode(value);
  };
  if (const auto s = string_arg(args, "status"); !s.empty()) add("status", s);
  if (const auto b = string_arg(args, "branch"); !b.empty()) add("branch", b);
  if (const auto* n = args.if_contains("per_page")) {
    // The schema allows 1..100 and integral doubles (2.0): print as an integer.
    const auto count =
        n->is_double() ? static_cast<std::int64_t>(n->get_double()) : n->to_number<std::int64_t>();
    add("per_page", std::to_string(count));
  }
  auto page = rest_get(backend, target + query);
  if (!page) return fail(gateway_failure(backend, page.error()));
  return summarize(
      page_output(*page), "workflow_runs",
      {"id", "name", "display_title", "status", "conclusion", "head_branch", "head_sha", "event",
       "run_number", "run_attempt", "created_at", "updated_at", "html_url"});
}

ToolOutput run_list_runners(node::ServiceBackend& backend, const json::object& args) {
  const std::string_view repo = string_arg(args, "repo");
  const std::string_view org = string_arg(args, "org");
  if (repo.empty() == org.empty()) return fail("give exactly one of repo (\"owner/name\") or org");
  std::string target;
  if (!repo.empty()) {
    if (auto why = check_repo(repo); !why.empty()) return fail(why);
    target = "repos/" + std::string(repo) + "/actions/runners";
  } else {
    if (!valid_name(org, false))
      return fail("org must be an organisation login (letters, digits, '-')");
    target = "orgs/" + std::string(org) + "/actions/runners";
  }
  auto page = rest_get(backend, target);
  if (!page) return fail(gateway_failure(backend, page.error()));
  return summarize(page_output(*page), "runners", {"id", "name", "os", "status", "busy"});
}

}  // namespace ipfsa::mcp
