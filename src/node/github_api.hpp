// What the layers above the node (service, mcp, cli) use of the GitHub path besides
// GitHubGateway and its Answer: they include no cache/ or github/ header of their own
// (docs/architecture.md, "Layers"), so the few helpers they share are offered here.
#pragma once

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "cache/key.hpp"
#include "github/client.hpp"
#include "github/link.hpp"

namespace ipfsa::node {

// GitHub API text: a Link header's target for a rel ("next": pagination), a JSON string literal,
// a percent-encoded query value.
using github::find_link;
using github::json_quote;
using github::percent_encode;

// The cache key's bounds on a GraphQL request: a caller refuses a larger one before calling.
using cache::kMaxGraphqlQueryBytes;
using cache::kMaxGraphqlVariablesBytes;

// The canonical key text of a GET of `path` on `api_url` up to its Accept part
// ("GET api.github.com/repos/o/r"): the prefix that invalidating that path, and everything
// under it, drops. Errors: cache::rest_key's (malformed, unsupported, too_large).
Result<std::string> rest_key_prefix(std::string_view api_url, std::string_view path);

}  // namespace ipfsa::node
