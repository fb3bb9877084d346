// An HTTP request as the service's routes see it, and their answer. No Asio or Beast here: the
// routes are plain functions of these (src/service/http_server.hpp does the I/O).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipfsa::service {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

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

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // never Content-Length, Connection or Date: the server writes those
  std::shared_ptr<const std::string> body;  // null = empty
  bool close = false;                       // close the connection after this response

  static HttpResponse text(int status, std::string body,
                           std::string content_type = "text/plain; charset=utf-8");
  static HttpResponse json(int status, std::string body);
};

}  // namespace ipfsa::service
