// cache_crash_writer <dir> <first> : puts entries first, first+1, ... into <dir>'s store forever,
// printing "<n>\n" (flushed) after each put() returns. The crash test kills it with SIGKILL and
// checks that every printed entry is intact. The body of entry n is crash_body(n) (see
// store_crash_test.cpp, which uses the same formula).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cache/config.hpp"
#include "cache/entry.hpp"
#include "cache/key.hpp"
#include "cache/store.hpp"

namespace {

std::string crash_body(unsigned long n) {
  std::string body = "{\"n\":" + std::to_string(n) + ",\"pad\":\"";
  body.append(100 + (n * 7919) % 1900, static_cast<char>('a' + n % 26));
  body += "\"}";
  return body;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ipfsa::cache;
  if (argc != 3) {
    std::fprintf(stderr, "usage: cache_crash_writer <dir> <first>\n");
    return 2;
  }
  StoreOptions options;
  options.file = std::filesystem::path(argv[1]) / kDatabaseFileName;
  auto store = Store::open(options);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().c_str());
    return 1;
  }
  const WallTime now = wall_now();
  for (unsigned long n = std::strtoul(argv[2], nullptr, 10);; ++n) {
    RestRequest request;
    const std::string target = "/repos/crash/test/items/" + std::to_string(n);
    request.target = target;
    auto key = rest_key(request);
    auto entry =
        make_entry(200, {{"etag", std::string("\"").append(std::to_string(n)).append("\"")}},
                   crash_body(n), now, now + std::chrono::hours(1));
    if (!key || !entry) return 1;
    auto ok = (*store)->put(key->text, key->digest, std::make_shared<const Entry>(std::move(*entry)));
    if (!ok) {
      std::fprintf(stderr, "put failed: %s\n", ok.error().message().c_str());
      return 1;
    }
    std::printf("%lu\n", n);
    std::fflush(stdout);
  }
}
