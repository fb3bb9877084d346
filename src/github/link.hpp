// The HTTP Link header (RFC 8288 §3) as GitHub uses it for pagination:
//   Link: <https://api.github.com/repositories/1/issues?page=2>; rel="next", <...>; rel="last"
// Parsing is tolerant of what RFC 8288 allows (commas inside <...>, unquoted or multi-valued rel,
// other parameters, any case, extra whitespace) and bounded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace ipfsa::github {

inline constexpr std::size_t kMaxLinkHeaderBytes = 16 * 1024;
inline constexpr std::size_t kMaxLinks = 32;

struct Link {
  std::string target;             // the URI between < and >
  std::vector<std::string> rels;  // lower-cased relation types
};

// Errors: Error::too_large (header or link count over the limits), Error::malformed (no <...>,
// unterminated quote or bracket).
Result<std::vector<Link>> parse_link_header(std::string_view header);

// Target of the first link whose rel list contains `rel` (case-insensitive); nullopt if none or
// if the header does not parse.
std::optional<std::string> find_link(std::string_view header, std::string_view rel);

}  // namespace ipfsa::github
