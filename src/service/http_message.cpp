#include "service/http_message.hpp"

#include "base/ascii.hpp"

namespace ipfsa::service {

std::string ListenAddress::url() const {
  return v6 ? "http://[" + address + "]:" + std::to_string(port)
            : "http://" + address + ":" + std::to_string(port);
}

std::string_view HttpRequest::header(std::string_view name) const noexcept {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

bool header_safe(std::string_view s) noexcept {
  // A plain loop: find_first_of would call memchr once per character.
  for (const char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

void HttpResponse::add_header_line(std::string_view name, std::string_view value) {
  if (name.empty() || !header_safe(name) || !header_safe(value)) return;
  header_lines.append(name);
  header_lines += ": ";
  header_lines.append(value);
  header_lines += "\r\n";
}

std::string_view HttpResponse::header(std::string_view name) const noexcept {
  for (const auto& [n, v] : headers) {
    if (ascii_iequals(n, name)) return v;
  }
  std::string_view lines = header_lines;
  while (!lines.empty()) {
    const auto eol = lines.find("\r\n");
    const auto line = lines.substr(0, eol);
    const auto colon = line.find(": ");
    if (colon != std::string_view::npos && ascii_iequals(line.substr(0, colon), name)) {
      return line.substr(colon + 2);
    }
    if (eol == std::string_view::npos) break;
    lines.remove_prefix(eol + 2);
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
