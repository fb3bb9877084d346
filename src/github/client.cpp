#include "github/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <mutex>

#include "base/ascii.hpp"
#include "base/log.hpp"
#include "github/link.hpp"

namespace ipfsa::github {
namespace {

std::once_flag g_curl_init_once;
CURLcode g_curl_init_result = CURLE_OK;

bool has_ctl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](unsigned char c) { return c == '\r' || c == '\n' || c == 0; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// What one transfer collects; the curl callbacks write into it.
struct Transfer {
  Response response;
  std::size_t max_body = 0;
  std::size_t header_bytes = 0;
  bool over_limit = false;
  const std::atomic<bool>* cancel = nullptr;
  bool cancelled = false;
};

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancel != nullptr && t->cancel->load()) {
    t->cancelled = true;
    return 1;  // aborts the transfer with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  if (t->response.body.size() + len > t->max_body) {
    t->over_limit = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  t->header_bytes += len;
  if (t->header_bytes > kMaxHeaderBytes) {
    t->over_limit = true;
    return 0;
  }
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or a 1xx): its headers replace the previous ones.
    t->response.headers.clear();
    return len;
  }
  std::string_view content = trim(line);
  if (content.empty()) return len;
  if (line.front() == ' ' || line.front() == '\t') {
    // Obsolete line folding (RFC 9112 §5.2): continue the previous value.
    if (!t->response.headers.empty()) {
      t->response.headers.back().second += ' ';
      t->response.headers.back().second += content;
    }
    return len;
  }
  auto colon = content.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;  // not a field line: ignore
  if (t->response.headers.size() == kMaxHeaderCount) {
    t->over_limit = true;
    return 0;
  }
  t->response.headers.emplace_back(ascii_lower(trim(content.substr(0, colon))),
                                   std::string(trim(content.substr(colon + 1))));
  return len;
}

Error map_curl_error(CURLcode rc, bool over_limit) {
  if (over_limit) return Error::too_large;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Error::timeout;
    case CURLE_FILESIZE_EXCEEDED:
      return Error::too_large;
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
      return Error::truncated;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
      return Error::malformed;
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Error::protocol_violation;
    case CURLE_TOO_MANY_REDIRECTS:
      return Error::limit_exceeded;
    default:
      return Error::io_failure;
  }
}

// Frees a header list after wiping every entry (one of them holds the token).
struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() {
    for (curl_slist* p = list; p != nullptr; p = p->next)
      secure_wipe(p->data, std::strlen(p->data));
    curl_slist_free_all(list);
  }
  bool add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) return false;
    list = next;
    return true;
  }
};

}  // namespace

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    // ASCII only: not std::isalnum, whose answer depends on the locale.
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::vector<std::string_view> Response::header_values(std::string_view lower_name) const {
  std::vector<std::string_view> out;
  for (const auto& [name, value] : headers) {
    if (name == lower_name) out.emplace_back(value);
  }
  return out;
}

std::string json_quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += '"';
  return out;
}

struct Client::State {
  ClientConfig config;
  std::string api_origin;
  std::string graphql_origin;
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  std::mutex pool_mutex;
  std::vector<CURL*> idle;  // at most config.idle_handles
  mutable std::mutex limiter_mutex;
  RateLimiter limiter;

  WallTime now() const { return config.wall_clock ? config.wall_clock() : WallClock::now(); }

  ~State() {
    for (CURL* h : idle) curl_easy_cleanup(h);
    if (share != nullptr) curl_share_cleanup(share);
  }

  CURL* acquire() {
    {
      std::lock_guard lock(pool_mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void release(CURL* h) {
    std::lock_guard lock(pool_mutex);
    if (idle.size() < config.idle_handles) {
      idle.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }
};

Client::Client(std::unique_ptr<State> state) : state_(std::move(state)) {}
Client::~Client() = default;

const ClientConfig& Client::config() const { return state_->config; }

Result<std::unique_ptr<Client>> Client::create(ClientConfig config) {
  auto api_origin = url_origin(config.api_url);
  if (config.graphql_url.empty()) config.graphql_url = config.api_url + "/graphql";
  auto graphql_origin = url_origin(config.graphql_url);
  if (!api_origin || !graphql_origin) return Error::malformed;
  if (has_ctl(config.default_accept) || has_ctl(config.user_agent)) return Error::malformed;
  std::call_once(g_curl_init_once, [] { g_curl_init_result = curl_global_init(CURL_GLOBAL_ALL); });
  if (g_curl_init_result != CURLE_OK) return Error::io_failure;

  auto state = std::make_unique<State>();
  state->config = std::move(config);
  state->api_origin = std::move(*api_origin);
  state->graphql_origin = std::move(*graphql_origin);
  state->share = curl_share_init();
  if (state->share == nullptr) return Error::io_failure;
  using LockFn = void (*)(CURL*, curl_lock_data, curl_lock_access, void*);
  using UnlockFn = void (*)(CURL*, curl_lock_data, void*);
  LockFn lock = [](CURL*, curl_lock_data d, curl_lock_access, void* p) {
    static_cast<State*>(p)->share_locks[static_cast<std::size_t>(d)].lock();
  };
  UnlockFn unlock = [](CURL*, curl_lock_data d, void* p) {
    static_cast<State*>(p)->share_locks[static_cast<std::size_t>(d)].unlock();
  };
  curl_share_setopt(state->share, CURLSHOPT_LOCKFUNC, lock);
  curl_share_setopt(state->share, CURLSHOPT_UNLOCKFUNC, unlock);
  curl_share_setopt(state->share, CURLSHOPT_USERDATA, state.get());
  curl_share_setopt(state->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(state->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return std::unique_ptr<Client>(new Client(std::move(state)));
}

Result<Response> Client::send(const Request& req) {
  State& s = *state_;
  const ClientConfig& cfg = s.config;
  if (req.method.empty() || req.method.size() > 16 ||
      !std::all_of(req.method.begin(), req.method.end(),
                   [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return Error::malformed;
  }
  if (req.body.size() > kMaxRequestBodyBytes) return Error::too_large;

  // Resolve the URL.
  std::string url;
  if (url_origin(req.target)) {
    url = req.target;
  } else {
    url = cfg.api_url;
    if (!req.target.starts_with('/')) url += '/';
    url += req.target;
  }
  bool first_param = url.find('?') == std::string::npos;
  for (const auto& [k, v] : req.query) {
    url += first_param ? '?' : '&';
    first_param = false;
    url += percent_encode(k);
    url += '=';
    url += percent_encode(v);
    if (url.size() > kMaxUrlBytes) return Error::too_large;
  }
  if (url.size() > kMaxUrlBytes) return Error::too_large;
  if (has_ctl(url) || url.find(' ') != std::string::npos) return Error::malformed;
  auto origin = url_origin(url);
  if (!origin) return Error::malformed;

  // Which token, and whether the shared rate-limit state applies.
  const bool own_token = !req.token.has_value();
  const bool known_origin = *origin == s.api_origin || *origin == s.graphql_origin;
  const SecretBytes* token = own_token ? (known_origin ? &cfg.token : nullptr) : &*req.token;
  const bool is_graphql = url == cfg.graphql_url;
  std::string_view path = std::string_view(url).substr(origin->size());
  if (url.starts_with(cfg.api_url)) path = std::string_view(url).substr(cfg.api_url.size());
  const std::string resource(resource_for_path(path, is_graphql));
  if (own_token && known_origin) {
    std::lock_guard lock(s.limiter_mutex);
    if (auto until = s.limiter.blocked_until(resource, s.now())) {
      log::debug("github: {} {} refused locally: rate limited ({})", req.method,
                 url.substr(0, url.find('?')), resource);
      return Error::rate_limited;
    }
  }

  // Headers. The Authorization line is wiped by ~HeaderList.
  HeaderList headers;
  bool ok = headers.add("Accept: " + (req.accept.empty() ? cfg.default_accept : req.accept));
  if (token != nullptr && !token->empty()) {
    std::string line = "Authorization: token ";
    auto t = token->view();
    line.append(reinterpret_cast<const char*>(t.data()), t.size());
    ok = ok && headers.add(line);
    secure_wipe(line.data(), line.size());
  }
  if (!req.if_none_match.empty()) ok = ok && headers.add("If-None-Match: " + req.if_none_match);
  if (!req.if_modified_since.empty()) {
    ok = ok && headers.add("If-Modified-Since: " + req.if_modified_since);
  }
  for (const auto& [name, value] : req.headers) {
    if (name.empty() || name.find(':') != std::string::npos || has_ctl(name) || has_ctl(value)) {
      return Error::malformed;
    }
    ok = ok && headers.add(name + ": " + value);
  }
  ok = ok && headers.add("Expect:");  // no 100-continue round trip for request bodies
  if (has_ctl(req.accept) || has_ctl(req.if_none_match) || has_ctl(req.if_modified_since)) {
    return Error::malformed;
  }
  if (!ok) return Error::io_failure;

  CURL* h = s.acquire();
  if (h == nullptr) return Error::io_failure;
  curl_easy_reset(h);  // keeps live connections, DNS and TLS session caches
  Transfer t;
  t.max_body = cfg.max_response_bytes;
  std::array<char, CURL_ERROR_SIZE> errbuf{};
  const Duration total = req.timeout.value_or(cfg.timeout);
  const auto total_ms = std::max<long>(
      1, static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(total).count()));
  const auto connect_ms = std::min<long>(
      total_ms,
      static_cast<long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(cfg.connect_timeout).count()));

  curl_easy_setopt(h, CURLOPT_SHARE, s.share);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required with threads (no SIGALRM for DNS)
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::max<long>(1, connect_ms));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(h, CURLOPT_USERAGENT, cfg.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every decoder libcurl has
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(cfg.max_response_bytes));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf.data());
  if (req.cancel != nullptr) {
    t.cancel = req.cancel;
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  }
  if (req.follow_redirects) {
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, kMaxRedirects);
  }
  if (!cfg.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, cfg.ca_bundle.c_str());
  if (!cfg.ca_path.empty()) curl_easy_setopt(h, CURLOPT_CAPATH, cfg.ca_path.c_str());
  if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET" || !req.body.empty()) {
    if (req.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
  }

  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective != nullptr) t.response.url = effective;
  // Drop references to this call's buffers before the handle goes back to the pool.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  s.release(h);

  const std::string log_url = url.substr(0, url.find('?'));
  if (rc != CURLE_OK) {
    Error e = t.cancelled ? Error::cancelled : map_curl_error(rc, t.over_limit);
    log::debug("github: {} {} failed: {} ({})", req.method, log_url, curl_easy_strerror(rc),
               errbuf.data());
    return e;
  }
  t.response.status = static_cast<int>(status);
  log::debug("github: {} {} -> {} ({} bytes)", req.method, log_url, status, t.response.body.size());
  if (own_token && known_origin) {
    std::lock_guard lock(s.limiter_mutex);
    LimitKind kind = s.limiter.on_response(t.response.status, t.response.headers, t.response.body,
                                           s.now());
    if (kind != LimitKind::none) {
      log::warn("github: {} rate limit on {}; next call in {} s",
                kind == LimitKind::primary ? "primary" : "secondary", resource,
                s.limiter.retry_after(resource, s.now()).count());
    }
  }
  return std::move(t.response);
}

Result<Response> Client::get(std::string_view path) {
  Request req;
  req.target = std::string(path);
  return send(req);
}

Result<std::vector<Response>> Client::paginate(Request req, std::size_t max_pages) {
  max_pages = std::min(max_pages, kMaxPages);
  std::vector<Response> pages;
  std::optional<std::string> origin;
  std::size_t total = 0;
  while (pages.size() < max_pages) {
    auto r = send(req);
    if (!r) return r.error();
    if (!origin) origin = url_origin(r->url.empty() ? req.target : r->url);
    total += r->body.size();
    if (total > kMaxPaginateBytes) return Error::too_large;
    const bool success = r->status >= 200 && r->status < 300;
    std::string links;
    for (auto v : r->header_values("link")) {
      if (!links.empty()) links += ", ";
      links += v;
    }
    pages.push_back(std::move(*r));
    if (!success) break;
    auto next = find_link(links, "next");
    if (!next) break;
    auto next_origin = url_origin(*next);
    if (!next_origin || (origin && *next_origin != *origin)) return Error::protocol_violation;
    req.target = std::move(*next);
    req.query.clear();  // the next link carries the full query
    req.if_none_match.clear();
    req.if_modified_since.clear();
  }
  return pages;
}

Result<std::vector<Response>> Client::paginate(std::string_view path, std::size_t max_pages) {
  Request req;
  req.target = std::string(path);
  return paginate(std::move(req), max_pages);
}

Result<Response> Client::graphql(std::string_view query, std::string_view variables_json) {
  std::string_view vars = trim(variables_json);
  if (vars.empty()) vars = "{}";
  if (vars.front() != '{' || vars.back() != '}') return Error::malformed;
  Request req;
  req.method = "POST";
  req.target = state_->config.graphql_url;
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = "{\"query\":" + json_quote(query) + ",\"variables\":" + std::string(vars) + "}";
  return send(req);
}

void Client::hold_off(std::string_view resource, WallTime until) {
  std::lock_guard lock(state_->limiter_mutex);
  state_->limiter.hold(resource, until);
}

std::chrono::seconds Client::retry_after(std::string_view resource) const {
  std::lock_guard lock(state_->limiter_mutex);
  return state_->limiter.retry_after(resource, state_->now());
}

std::optional<RateLimitInfo> Client::rate_limit(std::string_view resource) const {
  std::lock_guard lock(state_->limiter_mutex);
  return state_->limiter.last_info(resource);
}

}  // namespace ipfsa::github
