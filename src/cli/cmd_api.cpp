// `ipfs-accelerate api <path>`: like `gh api`, answered through the cache. Reads (GET/HEAD) are
// served fresh from the cache, revalidated with their ETag when expired (a 304 costs no quota),
// or fetched; writes go to GitHub and invalidate what they touched. -i prints the status line and
// headers, with X-Cache-Status: hit | miss | revalidated | stale.
#include <iostream>
#include <optional>
#include <vector>

#include "base/ascii.hpp"
#include "base/log.hpp"
#include "cli/common.hpp"
#include "node/github_api.hpp"
#include "node/local_github.hpp"

namespace ipfsa::cli {
namespace {

// -F values as gh types them: true/false/null and integers are JSON literals, the rest strings.
std::string json_value(std::string_view value, bool typed) {
  if (typed) {
    if (value == "true" || value == "false" || value == "null") return std::string(value);
    if (!value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos &&
        (value.size() == 1 || value[0] != '0')) {
      return std::string(value);
    }
  }
  return node::json_quote(value);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

// "Not Found" from {"message":"Not Found",...}; empty when the body has no message.
std::string error_message(std::string_view body) {
  const auto key = body.find("\"message\"");
  if (key == std::string_view::npos) return {};
  auto open = body.find('"', body.find(':', key) + 1);
  if (open == std::string_view::npos) return {};
  auto close = body.find('"', open + 1);
  while (close != std::string_view::npos && body[close - 1] == '\\') close = body.find('"', close + 1);
  if (close == std::string_view::npos) return {};
  return std::string(body.substr(open + 1, close - open - 1));
}

// Appends `"key":value` to a JSON object under construction ("{" so far, or "{...").
// (Separate appends: g++ 12 -O3 reports a false -Wrestrict on the one-expression form.)
void append_member(std::string& object, std::string_view key, const std::string& value) {
  if (object.size() > 1) object += ',';
  object += node::json_quote(key);
  object += ':';
  object += value;
}

struct Field {
  std::string key;
  std::string value;
  bool typed;  // -F (JSON literals) rather than -f (strings)
};

// Splits every "key=value" field; prints the first malformed one and returns nullopt.
std::optional<std::vector<Field>> split_fields(const ApiOptions& options) {
  std::vector<Field> out;
  for (const auto& [field, typed] : options.fields) {
    const auto eq = field.find('=');
    if (eq == std::string::npos) {
      std::cerr << "error: field \"" << field << "\" is not key=value\n";
      return std::nullopt;
    }
    out.push_back({field.substr(0, eq), field.substr(eq + 1), typed});
  }
  return out;
}

// Prints an answer's optional head (-i) and body; returns the exit code (1 for HTTP errors).
int print_answer(const node::Answer& answer, bool include) {
  const auto& entry = *answer.entry;
  if (include) {
    std::cout << "HTTP/1.1 " << entry.status << " " << reason_phrase(entry.status) << "\r\n";
    for (const auto& h : entry.headers) std::cout << h.name << ": " << h.value << "\r\n";
    std::cout << "X-Cache-Status: " << cache::to_string(answer.status) << "\r\n\r\n";
  }
  std::cout << *entry.body;
  if (entry.status < 400) return 0;
  auto message = error_message(*entry.body);
  std::cerr << "gh: " << (message.empty() ? reason_phrase(entry.status) : message) << " (HTTP "
            << entry.status << ")\n";
  return 1;
}

// `api graphql -f query=... [-F var=value ...]`, as gh api: the query field is the document, the
// other fields its variables. Queries go through the cache; mutations pass through.
int run_graphql(node::LocalGitHub& local, const ApiOptions& options, const std::string& accept) {
  node::GraphqlCall call;
  call.accept = accept;
  std::string variables = "{";
  const auto fields = split_fields(options);
  if (!fields) return 2;
  for (const auto& [key, value, typed] : *fields) {
    if (key == "query") {
      call.query = value;
    } else if (key == "operationName") {
      call.operation_name = value;
    } else {
      append_member(variables, key, json_value(value, typed));
    }
  }
  if (call.query.empty()) {
    std::cerr << "error: graphql needs -f query='...'\n";
    return 2;
  }
  if (variables.size() > 1) call.variables_json = variables + "}";
  auto answer = local.gateway->graphql(call);
  if (!answer) {
    std::cerr << "error: POST graphql: " << answer.error().message() << "\n";
    return 1;
  }
  const int code = print_answer(*answer, options.include);
  std::cout.flush();
  return code;
}

}  // namespace

int run_api(const ApiOptions& options) {
  log::init_from_env();
  if (!std::getenv("LOG_LEVEL")) spdlog::set_level(spdlog::level::warn);
  auto local = node::open_local_github(node::LocalNeed::gateway);
  if (!local) {
    std::cerr << "error: " << local.error() << "\n";
    return 1;
  }

  node::RestCall call;
  call.method = options.method.empty() ? (options.fields.empty() ? "GET" : "POST") : options.method;
  for (auto& c : call.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  call.target = options.path;
  for (const auto& header : options.headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos) {
      std::cerr << "error: header \"" << header << "\" is not \"Name: value\"\n";
      return 2;
    }
    std::string name = ascii_lower(header.substr(0, colon));
    auto value = header.substr(header.find_first_not_of(' ', colon + 1) == std::string::npos
                                   ? header.size()
                                   : header.find_first_not_of(' ', colon + 1));
    if (name == "accept") {
      call.accept = value;
    } else {
      std::cerr << "error: only the Accept header can be set (got " << name << ")\n";
      return 2;
    }
  }
  if (options.path == "graphql" || options.path == "/graphql") {
    return run_graphql(*local, options, call.accept);
  }
  const bool read = call.method == "GET" || call.method == "HEAD";
  std::string query;
  std::string json = "{";
  const auto fields = split_fields(options);
  if (!fields) return 2;
  for (const auto& [key, value, typed] : *fields) {
    if (read) {
      if (!query.empty()) query += '&';
      query += node::percent_encode(key);
      query += '=';
      query += node::percent_encode(value);
    } else {
      append_member(json, key, json_value(value, typed));
    }
  }
  if (!query.empty()) {
    call.target += call.target.find('?') == std::string::npos ? '?' : '&';
    call.target += query;
  }
  if (!read && !options.fields.empty()) {
    call.body = json + "}";
    call.content_type = "application/json; charset=utf-8";
  }

  int exit_code = 0;
  for (std::size_t page = 0;; ++page) {
    auto answer = local->gateway->rest(call);
    if (!answer) {
      std::cerr << "error: " << call.method << " " << call.target << ": " << answer.error().message()
                << "\n";
      return 1;
    }
    if (print_answer(*answer, options.include) != 0) {
      exit_code = 1;
      break;
    }
    if (!options.paginate || !read) break;
    auto next = node::find_link(answer->entry->header("link"), "next");
    if (!next) break;
    if (page + 1 >= kMaxPaginatePages) {
      std::cerr << "warning: stopped after " << kMaxPaginatePages << " pages\n";
      break;
    }
    call.target = *next;
  }
  std::cout.flush();
  return exit_code;
}

}  // namespace ipfsa::cli
