#include "node/github_api.hpp"

namespace ipfsa::node {

Result<std::string> rest_key_prefix(std::string_view api_url, std::string_view path) {
  auto key = cache::rest_key({"GET", api_url, path, "", ""});
  if (!key) return key.error();
  return key->text.substr(0, key->text.find(" accept="));
}

}  // namespace ipfsa::node
