#include "mcp/forward.hpp"

#include <curl/curl.h>

#include <boost/json.hpp>

#include "base/ascii.hpp"
#include "base/log.hpp"
#include "mcp/server.hpp"

namespace ipfsa::mcp {
namespace json = boost::json;
namespace {

struct Sink {
  std::string* body;
  std::string* session_id;
  bool overflow = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * n;
  if (sink->body->size() + bytes > kMaxForwardReplyBytes) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "mcp-session-id:";
  if (line.size() > kName.size()) {
    if (ascii_iequals(line.substr(0, kName.size()), kName)) {
      std::string_view value = line.substr(kName.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
        value.remove_suffix(1);
      }
      if (value.size() <= 256) *sink->session_id = std::string(value);
    }
  }
  return size * n;
}

// The request id of a message (nullopt for notifications, responses and garbage).
std::optional<json::value> request_id(std::string_view message) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  auto v = json::parse(message, ec, {}, options);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  if (!o.contains("method")) return std::nullopt;
  const auto* id = o.if_contains("id");
  if (id == nullptr || id->is_null()) return std::nullopt;
  return *id;
}

bool is_initialize(std::string_view message) {
  boost::system::error_code ec;
  auto v = json::parse(message, ec);
  if (ec || !v.is_object()) return false;
  const auto* m = v.get_object().if_contains("method");
  return m != nullptr && m->is_string() && m->get_string() == "initialize";
}

std::string error_line(const json::value& id, std::string message) {
  json::object error{{"code", kInternalError}, {"message", std::move(message)}};
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}});
}

}  // namespace

HttpForwarder::HttpForwarder(std::string url, SecretBytes bearer)
    : url_(std::move(url)), bearer_(std::move(bearer)) {}

HttpForwarder::~HttpForwarder() {
  if (session_id_.empty()) return;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return;
  curl_slist* headers = curl_slist_append(nullptr, ("Mcp-Session-Id: " + session_id_).c_str());
  std::string auth;
  if (!bearer_.empty()) {
    auth = "Authorization: Bearer " +
           std::string(reinterpret_cast<const char*>(bearer_.view().data()), bearer_.size());
    headers = curl_slist_append(headers, auth.c_str());
    secure_wipe(auth.data(), auth.size());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 2L);
  curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
}

HttpForwarder::Exchange HttpForwarder::post(std::string_view body, bool with_session) {
  Exchange out;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    out.error = "libcurl failed to initialise";
    return out;
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json, text/event-stream");
  if (with_session && !session_id_.empty()) {
    headers = curl_slist_append(headers, ("Mcp-Session-Id: " + session_id_).c_str());
    if (!protocol_version_.empty()) {
      headers = curl_slist_append(headers, ("MCP-Protocol-Version: " + protocol_version_).c_str());
    }
  }
  if (!bearer_.empty()) {
    std::string auth =
        "Authorization: Bearer " +
        std::string(reinterpret_cast<const char*>(bearer_.view().data()), bearer_.size());
    headers = curl_slist_append(headers, auth.c_str());  // libcurl keeps its own copy
    secure_wipe(auth.data(), auth.size());
  }
  Sink sink{&out.body, &out.session_id};
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // loopback: never through a proxy
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(kForwardTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(kForwardConnectTimeout.count()));
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  } else {
    out.error = sink.overflow ? "the answer exceeds kMaxForwardReplyBytes" : curl_easy_strerror(rc);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return out;
}

void HttpForwarder::remember(std::string_view message, const Exchange& reply) {
  if (!is_initialize(message) || reply.status != 200) return;
  initialize_ = std::string(message);
  if (!reply.session_id.empty()) session_id_ = reply.session_id;
  boost::system::error_code ec;
  auto v = json::parse(reply.body, ec);
  if (ec || !v.is_object()) return;
  if (const auto* r = v.get_object().if_contains("result"); r != nullptr && r->is_object()) {
    if (const auto* pv = r->get_object().if_contains("protocolVersion");
        pv != nullptr && pv->is_string()) {
      protocol_version_ = std::string(pv->get_string());
    }
  }
}

bool HttpForwarder::reachable() {
  auto reply = post("{}", false);
  return reply.status != 0;
}

std::optional<std::string> HttpForwarder::forward(std::string_view message) {
  const auto id = request_id(message);
  Exchange reply = post(message, true);
  if (reply.status == 404 && !session_id_.empty() && !initialize_.empty()) {
    // The node lost our session (restart, idle expiry): open a new one and try once more.
    log::info("mcp: the node forgot our session; initializing again");
    session_id_.clear();
    auto again = post(initialize_, false);
    remember(initialize_, again);
    if (!session_id_.empty()) {
      (void)post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", true);
      reply = post(message, true);
    }
  }
  remember(message, reply);
  if (reply.status == 202) return std::nullopt;
  if (reply.status == 200 && !reply.body.empty()) {
    // One JSON text per line: our node's JSON never holds a raw newline, but be sure.
    for (auto& c : reply.body) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return std::move(reply.body);
  }
  if (!id) {
    if (reply.status == 0) log::warn("mcp: cannot reach the node at {}: {}", url_, reply.error);
    if (reply.status >= 400 && !reply.body.empty())
      return reply.body;  // e.g. a parse error, id null
    return std::nullopt;
  }
  if (reply.status == 0)
    return error_line(*id, "cannot reach the node at " + url_ + ": " + reply.error);
  return error_line(*id, "the node answered HTTP " + std::to_string(reply.status) + ": " +
                             reply.body.substr(0, 512));
}

}  // namespace ipfsa::mcp
