#include "service/http_message.hpp"

namespace ipfsa::service {

std::string_view HttpRequest::header(std::string_view name) const noexcept {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

HttpResponse HttpResponse::text(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::move(content_type));
  r.body = std::make_shared<const std::string>(std::move(body));
  return r;
}

HttpResponse HttpResponse::json(int status, std::string body) {
  return text(status, std::move(body), "application/json; charset=utf-8");
}

}  // namespace ipfsa::service
