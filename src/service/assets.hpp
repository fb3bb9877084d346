// The dashboard's files, compiled into the binary: every file in src/service/assets/ becomes a
// byte array (embed_assets.cmake, run by the build when the folder changes). Served as GET / (for
// index.html) and GET /assets/<name>, with a content type by extension and a strong ETag (the
// first 128 bits of the file's SHA-256). While the folder holds no index.html, GET / serves a
// minimal built-in page that points at the JSON API.
#pragma once

#include <span>
#include <string_view>

namespace ipfsa::service {

struct EmbeddedAsset {
  std::string_view name;  // file name, no directory ("app.js")
  std::string_view body;
  std::string_view etag;  // quoted: "\"0123...\""
};

// All embedded files, sorted by name. Defined in the generated assets_generated.cpp.
std::span<const EmbeddedAsset> embedded_assets() noexcept;

// The file called `name`, or nullptr. Names with '/' or starting with '.' never match.
const EmbeddedAsset* find_asset(std::string_view name) noexcept;

// "text/html; charset=utf-8" for .html, ... "application/octet-stream" for unknown extensions.
std::string_view content_type_for(std::string_view name) noexcept;

// Served as GET / while no index.html is embedded.
std::string_view fallback_page() noexcept;

}  // namespace ipfsa::service
