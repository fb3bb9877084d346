// Test support shared by the exhaustion tests of several layers: a capture of the log lines
// written while it lives, and a raised descriptor limit for tests that hold many sockets.
// Only tests include it.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipfsa::test_support {

// For a test that holds about a thousand sockets: raises the soft descriptor limit to the hard one.
inline void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Collects the log lines (INFO and above) written while it lives; the other sinks keep their
// level, so the test output stays quiet.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_st>(out_)) {
    sink_->set_pattern("%l %v");
    sink_->set_level(spdlog::level::info);
    auto& sinks = spdlog::default_logger()->sinks();
    for (auto& s : sinks) {
      saved_.emplace_back(s, s->level());
      s->set_level(std::max(s->level(), spdlog::level::warn));
    }
    sinks.push_back(sink_);
    saved_level_ = spdlog::default_logger()->level();
    spdlog::default_logger()->set_level(spdlog::level::info);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    for (auto& [s, level] : saved_) s->set_level(level);
    spdlog::default_logger()->set_level(saved_level_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Lines containing every one of `parts`.
  std::vector<std::string> lines(std::initializer_list<std::string_view> parts) const {
    std::vector<std::string> out;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) {
      if (std::all_of(parts.begin(), parts.end(),
                      [&](std::string_view p) { return line.find(p) != std::string::npos; })) {
        out.push_back(line);
      }
    }
    return out;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_st> sink_;
  std::vector<std::pair<spdlog::sink_ptr, spdlog::level::level_enum>> saved_;
  spdlog::level::level_enum saved_level_ = spdlog::level::warn;
};

}  // namespace ipfsa::test_support
