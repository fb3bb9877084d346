// The MCP stdio transport: newline-delimited JSON-RPC messages on a pair of file descriptors.
// Nothing but protocol messages is written to `out` (logs go to stderr). Messages are handled one
// at a time, in order.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/server.hpp"

namespace ipfsa::mcp {

// Splits a byte stream into lines without holding more than `max_line` bytes of one line: a
// longer line is dropped up to its newline and reported as oversized once.
class LineReader {
 public:
  explicit LineReader(std::size_t max_line = kMaxMessageBytes) : max_line_(max_line) {}
  struct Line {
    std::string text;        // without "\n" (and a trailing "\r")
    bool oversized = false;  // text is empty: the line exceeded max_line
  };
  void feed(std::string_view bytes);
  std::optional<Line> next();
  // At end of input: the unterminated last line, if any.
  std::optional<Line> finish();

 private:
  std::size_t max_line_;
  std::string partial_;
  bool skipping_ = false;  // inside an oversized line
  std::vector<Line> ready_;
  std::size_t taken_ = 0;
};

// What to do with one message: the reply line (without newline), or nullopt.
using MessageHandler = std::function<std::optional<std::string>(std::string_view message)>;

// Reads `in` until end of input, writes replies to `out`. An oversized line is answered with a
// JSON-RPC error (id null). Returns 0 at end of input, 1 if `out` cannot be written.
int run_stdio(int in, int out, const MessageHandler& handle);

}  // namespace ipfsa::mcp
