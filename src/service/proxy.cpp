#include "service/proxy.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <string>

#include "node/github_api.hpp"

namespace ipfsa::service {
namespace {

namespace json = boost::json;

// Content-Type of requests we forward: only what a write needs.
std::string_view body_type(const HttpRequest& request) {
  auto type = request.header("content-type");
  return request.body.empty() ? std::string_view{} : type;
}

}  // namespace

std::string_view upstream_accept(const HttpRequest& request) noexcept {
  const auto accept = request.header("accept");
  return accept == "*/*" ? std::string_view{} : accept;
}

std::string rewrite_link_header(std::string_view link, std::string_view upstream,
                                std::string_view proxy) {
  std::string out;
  out.reserve(link.size() + 64);
  std::size_t i = 0;
  while (i < link.size()) {
    auto open = link.find('<', i);
    if (open == std::string_view::npos) break;
    auto close = link.find('>', open + 1);
    if (close == std::string_view::npos) break;
    out.append(link.substr(i, open + 1 - i));
    auto url = link.substr(open + 1, close - open - 1);
    // Only whole-segment matches: the base followed by '/', '?' or the end.
    if (url.starts_with(upstream) && (url.size() == upstream.size() ||
                                      url[upstream.size()] == '/' || url[upstream.size()] == '?')) {
      out.append(proxy);
      out.append(url.substr(upstream.size()));
    } else {
      out.append(url);
    }
    out += '>';
    i = close + 1;
  }
  out.append(link.substr(i));
  return out;
}

node::RestCall rest_call(const HttpRequest& request, std::string_view path,
                         std::optional<SecretBytes> token) {
  node::RestCall call;
  // HEAD is answered from the GET entry (same headers, the server drops the body): one cache
  // key, and no upstream call for a HEAD after a GET.
  call.method = request.method == "HEAD" ? std::string("GET") : request.method;
  call.target = path.empty() ? std::string("/") : std::string(path);
  call.accept = std::string(upstream_accept(request));
  call.body = request.body;
  call.content_type = std::string(body_type(request));
  call.token = std::move(token);
  return call;
}

Result<node::GraphqlCall> graphql_call(const HttpRequest& request,
                                       std::optional<SecretBytes> token) {
  boost::system::error_code ec;
  json::value doc = json::parse(request.body, ec);
  if (ec || !doc.is_object()) return Error::malformed;
  const auto& object = doc.as_object();
  const auto* query = object.if_contains("query");
  if (query == nullptr || !query->is_string()) return Error::malformed;
  node::GraphqlCall call;
  call.query = std::string(query->as_string());
  if (call.query.size() > node::kMaxGraphqlQueryBytes) return Error::too_large;
  if (const auto* variables = object.if_contains("variables");
      variables != nullptr && !variables->is_null()) {
    if (!variables->is_object()) return Error::malformed;
    call.variables_json = json::serialize(*variables);
    if (call.variables_json.size() > node::kMaxGraphqlVariablesBytes) return Error::too_large;
  }
  if (const auto* name = object.if_contains("operationName"); name != nullptr && !name->is_null()) {
    if (!name->is_string()) return Error::malformed;
    call.operation_name = std::string(name->as_string());
  }
  call.accept = std::string(upstream_accept(request));
  call.token = std::move(token);
  return call;
}

HttpResponse answer_response(const HttpRequest& request, const node::Answer& answer,
                             std::string_view upstream_base, std::string_view proxy_base) {
  HttpResponse response;
  const auto& entry = *answer.entry;
  response.status = entry.status;
  std::size_t size = 32;
  for (const auto& header : entry.headers) size += header.name.size() + header.value.size() + 4;
  response.header_lines.reserve(size + proxy_base.size() * 4);
  for (const auto& header : entry.headers) {
    if (header.name == "link") {
      response.add_header_line("Link",
                               rewrite_link_header(header.value, upstream_base, proxy_base));
    } else {
      response.add_header_line(header.name, header.value);
    }
  }
  response.add_header_line("X-Cache-Status", cache::to_string(answer.status));
  const auto etag = entry.header("etag");
  const auto if_none_match = request.header("if-none-match");
  if (!etag.empty() && !if_none_match.empty() && entry.status == 200 &&
      (request.method == "GET" || request.method == "HEAD") && if_none_match == etag) {
    response.status = 304;
    return response;
  }
  response.body = entry.body;
  return response;
}

HttpResponse github_error(int status, std::string_view message) {
  json::object doc;
  doc["message"] = message;
  doc["documentation_url"] = kDocumentationUrl;
  return HttpResponse::json(status, json::serialize(doc));
}

HttpResponse gateway_error(boost::system::error_code error, std::chrono::seconds retry_after) {
  if (error == Error::timeout) return github_error(504, "GitHub did not answer in time");
  if (error == Error::malformed) return github_error(400, "Malformed request");
  if (error == Error::unsupported) {
    return github_error(400, "Credentials in the URL are not accepted by this proxy");
  }
  if (error == Error::too_large) return github_error(502, "GitHub's answer is too large");
  if (error == Error::rate_limited) {
    const auto wait = std::max<std::chrono::seconds::rep>(1, retry_after.count());
    auto r = github_error(429,
                          "API rate limit exceeded for this token (held back by the proxy "
                          "until GitHub's reset): retry in " +
                              std::to_string(wait) + " s");
    r.add_header_line("Retry-After", std::to_string(wait));
    return r;
  }
  if (error == Error::peer_busy || error == Error::too_many_streams) {
    auto r = github_error(503, "The swarm is busy: retry shortly");
    r.add_header_line("Retry-After", "1");
    return r;
  }
  return github_error(502, "GitHub could not be reached: " + error.message());
}

}  // namespace ipfsa::service
