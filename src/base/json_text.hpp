// JSON text for people and for other languages' parsers: what boost::json::serialize writes, but
// with every double in the shortest round-trip decimal form Python's json.dumps and JavaScript's
// JSON.stringify would choose ("0.01", "0.8537", "85.4", "0", "1e-07"), never Boost 1.81's
// "1E-2" / "8.537E-1" / "0E0". The value is unchanged: parsing the text gives the same doubles.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace ipfsa {

std::string json_text(const boost::json::value& v);

// The rewrite json_text() applies to serialize()'s output: number tokens outside strings that
// carry an exponent are rewritten as above. Exposed for tests; `text` must be valid JSON.
std::string plain_json_numbers(std::string_view text);

}  // namespace ipfsa
