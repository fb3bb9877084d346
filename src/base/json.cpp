// Boost.JSON compiled once for the whole program (header-only mode needs exactly one translation
// unit that includes src.hpp). Everything else includes <boost/json.hpp> and links base_json.
#include <boost/json/src.hpp>
