// An HTTP request as the service's routes see it, and their answer. No Asio or Beast here: the
// routes are plain functions of these (src/service/http_server.hpp does the I/O).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipfsa::service {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Where a listener bound (HttpServer::listen, Service::start).
struct ListenAddress {
  std::string address;  // "127.0.0.1", "::1"
  std::uint16_t port = 0;
  bool v6 = false;
  std::string url() const;  // "http://127.0.0.1:8080", "http://[::1]:8080"
};

struct HttpRequest {
  std::string method;  // as sent ("GET")
  std::string target;  // origin-form "/a?b" or absolute-form "http://h/a"
  unsigned version = 11;
  HeaderList headers;  // lower-case names, in received order
  std::string body;
  std::string remote;  // peer address, for logs

  // First value of a header (lower-case name), "" if absent.
  std::string_view header(std::string_view lower_name) const noexcept;
};

// True if `s` can go into a header line: no CR, LF or NUL.
bool header_safe(std::string_view s) noexcept;

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // never Content-Length, Connection or Date: the server writes those
  // More header lines, already rendered ("Name: value\r\n" each), written after `headers`: one
  // string instead of two per header for answers with many (the proxy's). Use add_header_line().
  std::string header_lines;
  std::shared_ptr<const std::string> body;  // null = empty
  bool close = false;                       // close the connection after this response

  // Appends "name: value\r\n" to header_lines. Dropped: an empty name, and a name or value that
  // is not header_safe() (no header can be split into two).
  void add_header_line(std::string_view name, std::string_view value);
  // The value of the first header named `name` (ASCII case-insensitive) in `headers`, then in
  // `header_lines`; "" if absent.
  std::string_view header(std::string_view name) const noexcept;

  static HttpResponse text(int status, std::string body,
                           std::string content_type = "text/plain; charset=utf-8");
  static HttpResponse json(int status, std::string body);
};

}  // namespace ipfsa::service
