#include "service/assets.hpp"

#include <array>
#include <utility>

namespace ipfsa::service {

const EmbeddedAsset* find_asset(std::string_view name) noexcept {
  if (name.empty() || name.front() == '.' || name.find('/') != std::string_view::npos ||
      name.find('\\') != std::string_view::npos) {
    return nullptr;
  }
  for (const auto& asset : embedded_assets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

std::string_view content_type_for(std::string_view name) noexcept {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
      {".map", "application/json; charset=utf-8"},
      {".webp", "image/webp"},
  }};
  auto dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    auto ext = name.substr(dot);
    for (const auto& [suffix, type] : kTypes) {
      if (ext.size() == suffix.size()) {
        bool same = true;
        for (std::size_t i = 0; i < ext.size(); ++i) {
          char c = ext[i];
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
          if (c != suffix[i]) same = false;
        }
        if (same) return type;
      }
    }
  }
  return "application/octet-stream";
}

std::string_view fallback_page() noexcept {
  return R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ipfs-accelerate</title></head>
<body><h1>ipfs-accelerate</h1>
<p>The dashboard assets are not built into this binary. The JSON API:
<a href="/api/mcp/peers">/api/mcp/peers</a>,
<a href="/api/mcp/cache/stats">/api/mcp/cache/stats</a>,
<a href="/api/mcp/cache/history">/api/mcp/cache/history</a>,
<a href="/metrics">/metrics</a>.</p>
</body></html>
)";
}

}  // namespace ipfsa::service
