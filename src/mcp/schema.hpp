// A JSON Schema (2020-12) validator for the subset our tool input schemas use, so the schemas
// published in tools/list are the ones enforced. Supported keywords: type (one name or a list),
// properties, required, additionalProperties (false only), enum, minimum, maximum, minLength,
// maxLength, items; description, title and default are annotations. Any other keyword in a
// schema is a programming error: schema_keywords_supported() lets a test prove none is used.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace ipfsa::mcp {

// "" if `instance` satisfies `schema`, else one message naming the first offending location
// (e.g. "arguments.per_page: must be at most 100").
std::string validate(const boost::json::value& instance, const boost::json::object& schema,
                     std::string_view where = "arguments");

// True if `schema` (recursively) uses only the keywords validate() understands.
bool schema_keywords_supported(const boost::json::object& schema);

}  // namespace ipfsa::mcp
