// Test helpers shared by the cache tests (not part of the library).
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "cache/entry.hpp"
#include "cache/key.hpp"

namespace ipfsa::cache::testing {

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("ipfsa-cache-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

inline CacheKey key_for(const std::string& target) {
  RestRequest r;
  r.target = target;
  return *rest_key(r);
}

inline EntryPtr entry_with(std::string body,
                           WallTime expires_at = wall_now() + std::chrono::hours(1),
                           Headers headers = {{"content-type", "application/json"}}) {
  auto e = make_entry(200, headers, std::move(body), wall_now(), expires_at);
  return std::make_shared<const Entry>(std::move(*e));
}

}  // namespace ipfsa::cache::testing
