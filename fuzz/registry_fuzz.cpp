// Fuzzes the GitHub-issue registry's pure code: comment bodies that anyone with access to the
// repository can write, GitHub list pages holding them, and the roster decisions over them.
// The input is either one comment list page (it starts with '[') or up to kMaxBodies comment
// bodies separated by 0x00 bytes. Invariants: no crash; an accepted comment respects the limits,
// and our writer renders it to a body that parses back to the same record (last_seen at
// Python's microsecond resolution) and renders again to the same bytes; the writer refuses it
// only for a reason the record shows; live_peers() keeps exactly the greedy newest-first
// selection of the dialable, live, non-self comments; own_comments() keeps the lowest id.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/registry/comment.hpp"
#include "discovery/registry/roster.hpp"

using namespace ipfsa;
using namespace ipfsa::registry;

namespace {

// Comment bodies read from one input in 0x00-separated mode.
constexpr std::size_t kMaxBodies = 8;
// Who "we" are for live_peers(); seeds use these in comments that must be skipped as ours.
constexpr std::string_view kSelfRunner = "fuzz-self";
constexpr std::string_view kSelfPeer = "QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa";
// Fixed and generous: how much the writer's JSON escaping can grow a field (a control character
// becomes \u00XX: 6 bytes for 1) and the bytes it adds around the fields (marker, fence, keys,
// indentation, a port and a timestamp; per metadata entry a few more).
constexpr std::size_t kMaxEscapeGrowth = 6;
constexpr std::size_t kWriterOverhead = 512;
constexpr std::size_t kWriterOverheadPerEntry = 16;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool is(const boost::system::error_code& ec, Error e) { return ec == make_error_code(e); }

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    char32_t cp = 0;
    if (b0 < 0x80) {
      ++i;
      continue;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2, cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3, cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4, cp = b0 & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

WallTime micros(WallTime t) {
  return std::chrono::time_point_cast<WallClock::duration>(
      std::chrono::floor<std::chrono::microseconds>(t));
}

void check_in_range(WallTime t) {
  using namespace std::chrono;
  check(t >= sys_days{year{kMinLastSeenYear} / January / 1} &&
        t < sys_days{year{kMaxLastSeenYear + 1} / January / 1});
}

// A timestamp we accept is in range and one we can write and read back (at microseconds).
void check_last_seen(std::string_view text) {
  auto t = parse_last_seen(text);
  if (!t) return;
  check_in_range(*t);
  auto back = parse_last_seen(format_last_seen(*t));
  check(back && *back == micros(*t));
}

void check_limits(const PeerRecord& r) {
  for (const std::string* f : {&r.runner_name, &r.peer_id, &r.multiaddr}) {
    check(f->size() <= kMaxFieldBytes);
  }
  check(!r.public_ip || (!r.public_ip->empty() && r.public_ip->size() <= kMaxFieldBytes));
  check(r.metadata.size() <= kMaxMetadataEntries);
  for (const auto& [k, v] : r.metadata)
    check(k.size() <= kMaxFieldBytes && v.size() <= kMaxFieldBytes);
}

// Why the writer may refuse a record that the reader accepted.
bool unwritable_name(const PeerRecord& r) {
  if (r.runner_name.empty() || r.runner_name.find("-->") != std::string::npos) return true;
  return std::any_of(r.runner_name.begin(), r.runner_name.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

bool all_utf8(const PeerRecord& r) {
  if (!valid_utf8(r.runner_name) || !valid_utf8(r.peer_id) || !valid_utf8(r.multiaddr)) {
    return false;
  }
  if (r.public_ip && !valid_utf8(*r.public_ip)) return false;
  for (const auto& [k, v] : r.metadata) {
    if (!valid_utf8(k) || !valid_utf8(v)) return false;
  }
  return true;
}

std::size_t raw_bytes(const PeerRecord& r) {
  std::size_t n = r.runner_name.size() * 2 + r.peer_id.size() + r.multiaddr.size() +
                  (r.public_ip ? r.public_ip->size() : 0);
  for (const auto& [k, v] : r.metadata) n += k.size() + v.size();
  return n;
}

// One comment body through the reader, and when it parses, through the writer and back.
void check_comment(std::string_view body) {
  check_last_seen(body);  // mostly not a timestamp; the mutations that make it one count
  const bool marked = is_registry_comment(body);
  auto r = parse_comment_body(body);
  if (!r) {
    check(marked || is(r.error(), Error::not_found));
    return;
  }
  check(marked);
  check_limits(*r);
  check_in_range(r->last_seen);
  check(all_utf8(*r));  // what we hand on (status JSON, logs) is text
  auto again = parse_comment_body(body);
  check(again && *again == *r);

  auto written = build_comment_body(*r);
  if (!written) {
    if (is(written.error(), Error::malformed)) {
      check(unwritable_name(*r));
    } else {
      check(is(written.error(), Error::too_large));
      check(raw_bytes(*r) * kMaxEscapeGrowth + kWriterOverhead +
                r->metadata.size() * kWriterOverheadPerEntry >
            kMaxCommentBytes);
    }
    return;
  }
  check(!unwritable_name(*r));
  check(written->size() <= kMaxCommentBytes);
  check(is_comment_of(*written, r->runner_name));
  auto back = parse_comment_body(*written);
  check(back.has_value());
  PeerRecord expected = *r;
  expected.last_seen = micros(r->last_seen);
  check(*back == expected);
  auto rewritten = build_comment_body(*back);
  check(rewritten && *rewritten == *written);
}

bool before(const RegistryPeer& a, const RegistryPeer& b) {
  if (a.record.last_seen != b.record.last_seen) return a.record.last_seen > b.record.last_seen;
  return a.comment_id < b.comment_id;
}

// One peer ID has several texts (base58 "12D3..."/"Qm...", CIDv1 "bafz...", other multibases):
// peers are the same when their IDs are, whatever the text.
bool conflict(const RegistryPeer& a, const RegistryPeer& b) {
  return a.peer_id == b.peer_id || a.record.runner_name == b.record.runner_name;
}

// live_peers() and own_comments() over the comments, checked against their contracts computed
// here the slow way.
void check_roster(const std::vector<IssueComment>& comments) {
  // "now" makes the first parsed comment live, so the filters below see both sides.
  WallTime now = WallTime{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::string first_runner;
  for (const auto& c : comments) {
    if (auto r = parse_comment_body(c.body)) {
      now = r->last_seen;
      first_runner = r->runner_name;
      break;
    }
  }
  const Self self{std::string(kSelfRunner), std::string(kSelfPeer)};
  const auto self_id = wire::PeerId::parse(kSelfPeer);
  check(self_id.has_value());

  std::vector<RegistryPeer> candidates;
  std::vector<std::uint64_t> unusable;  // comments that must be reported as skipped
  const std::size_t read = std::min(comments.size(), kMaxRegistryComments);
  for (std::size_t i = 0; i < read; ++i) {
    const auto& c = comments[i];
    if (!is_registry_comment(c.body)) continue;
    auto r = parse_comment_body(c.body);
    if (!r) {
      unusable.push_back(c.id);
      continue;
    }
    if (r->last_seen < now - kPeerTtl || r->last_seen > now + kMaxClockSkew) continue;
    if (r->runner_name == self.runner_name || r->peer_id == self.peer_id) continue;
    auto p = to_registry_peer(*r, c.id);
    if (!p) {
      unusable.push_back(c.id);
      continue;
    }
    if (p->peer_id == *self_id) continue;  // our ID in another text
    check(!p->addrs.empty() && p->addrs.size() <= 2);
    for (const auto& a : p->addrs) check(a.peer_id() == p->peer_id);
    check(p->record == *r);
    candidates.push_back(std::move(*p));
  }

  std::vector<std::uint64_t> skipped;
  auto live = live_peers(comments, self, now, [&](std::uint64_t id, boost::system::error_code) {
    skipped.push_back(id);
  });
  check(skipped == unusable);
  for (std::size_t i = 0; i < live.size(); ++i) {
    const auto& p = live[i];
    if (i > 0) check(live[i - 1].record.peer_id < p.record.peer_id);
    check(p.peer_id != *self_id && p.record.runner_name != self.runner_name);
    for (std::size_t j = 0; j < i; ++j) check(!conflict(live[j], p));
    auto same = std::find_if(candidates.begin(), candidates.end(),
                             [&](const auto& c) { return c.comment_id == p.comment_id; });
    check(same != candidates.end());
    check(same->record == p.record && same->peer_id == p.peer_id && same->addrs == p.addrs);
  }
  // Greedy newest-first: a candidate left out conflicts with a kept one that comes before it.
  for (const auto& c : candidates) {
    const bool kept = std::any_of(live.begin(), live.end(),
                                  [&](const auto& p) { return p.comment_id == c.comment_id; });
    if (kept) continue;
    check(std::any_of(live.begin(), live.end(),
                      [&](const auto& p) { return conflict(p, c) && before(p, c); }));
  }

  if (first_runner.empty()) return;
  auto own = own_comments(comments, first_runner);
  std::vector<std::uint64_t> mine;
  for (const auto& c : comments) {
    if (is_comment_of(c.body, first_runner)) mine.push_back(c.id);
  }
  // May be none: a marker written with extra spaces ("<!-- p2p-peer-registry:  x -->") parses
  // with runner "x" but is not x's own comment, as in the original.
  std::sort(mine.begin(), mine.end());
  if (mine.empty()) {
    check(!own.keep && own.remove.empty());
    return;
  }
  check(own.keep == mine.front());
  check(own.remove == std::vector<std::uint64_t>(mine.begin() + 1, mine.end()));
}

// A GitHub list page: as issues (choose_issue) and as comments (every body, then the roster).
void check_page(std::string_view json) {
  if (auto issues = parse_issues_page(json)) {
    check(issues->size() <= kPerPage);
    auto chosen = choose_issue(*issues);
    for (const auto& i : *issues) {
      if (!i.open || i.pull_request || i.title != kIssueTitle) continue;
      check(chosen && *chosen <= i.number);
    }
  }
  if (auto n = parse_number_field(json, "id")) check(*n > 0);
  auto comments = parse_comments_page(json);
  if (!comments) return;
  check(comments->size() <= kPerPage);
  for (const auto& c : *comments) check_comment(c.body);
  // GitHub's comment ids are unique; with repeats the roster's tie-break is unspecified.
  std::vector<std::uint64_t> ids;
  for (const auto& c : *comments) ids.push_back(c.id);
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
    for (std::size_t i = 0; i < comments->size(); ++i) (*comments)[i].id = i + 1;
  }
  check_roster(*comments);
}

}  // namespace

// The fuzz build's UBSan checks recover (no -fno-sanitize-recover): make them fatal here, so an
// overflow in the parsers is a finding and not a line in the log.
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (!in.empty() && in.front() == '[') {
    check_page(in);
    return 0;
  }
  std::vector<IssueComment> comments;
  while (comments.size() + 1 < kMaxBodies) {
    auto zero = in.find('\0');
    if (zero == std::string_view::npos) break;
    comments.push_back({comments.size() + 1, std::string(in.substr(0, zero)), "fuzz"});
    in.remove_prefix(zero + 1);
  }
  comments.push_back({comments.size() + 1, std::string(in), "fuzz"});
  for (const auto& c : comments) check_comment(c.body);
  check_roster(comments);
  return 0;
}
