#include "mcp/stdio_transport.hpp"

#include <unistd.h>

#include <cerrno>

namespace ipfsa::mcp {

void LineReader::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto nl = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, nl);
    if (!skipping_) {
      if (partial_.size() + piece.size() > max_line_) {
        partial_.clear();
        partial_.shrink_to_fit();
        skipping_ = true;
        ready_.push_back(Line{"", true});
      } else {
        partial_.append(piece);
      }
    }
    if (nl == std::string_view::npos) return;
    if (!skipping_) {
      if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
      ready_.push_back(Line{std::move(partial_), false});
      partial_.clear();
    }
    skipping_ = false;
    bytes.remove_prefix(nl + 1);
  }
}

std::optional<LineReader::Line> LineReader::next() {
  if (taken_ == ready_.size()) {
    ready_.clear();
    taken_ = 0;
    return std::nullopt;
  }
  return std::move(ready_[taken_++]);
}

std::optional<LineReader::Line> LineReader::finish() {
  if (skipping_ || partial_.empty()) return std::nullopt;
  Line line{std::move(partial_), false};
  partial_.clear();
  return line;
}

namespace {

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool answer(int out, const MessageHandler& handle, const LineReader::Line& line) {
  std::optional<std::string> reply;
  if (line.oversized) {
    reply = Server::error_reply(kInvalidRequest, "message larger than kMaxMessageBytes (" +
                                                     std::to_string(kMaxMessageBytes) + " bytes)");
  } else if (line.text.find_first_not_of(" \t") == std::string::npos) {
    return true;  // blank line
  } else {
    reply = handle(line.text);
  }
  if (!reply) return true;
  reply->push_back('\n');
  return write_all(out, *reply);
}

}  // namespace

int run_stdio(int in, int out, const MessageHandler& handle) {
  LineReader reader;
  char buffer[64 * 1024];
  while (true) {
    const ssize_t n = ::read(in, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    while (auto line = reader.next()) {
      if (!answer(out, handle, *line)) return 1;
    }
  }
  if (auto last = reader.finish()) {
    if (!answer(out, handle, *last)) return 1;
  }
  return 0;
}

}  // namespace ipfsa::mcp
