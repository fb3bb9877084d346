// The GitHub-issue peer registry over github::Client: one heartbeat finds (or creates) the
// registry issue, reads every comment, upserts our own comment, deletes our stale duplicates and
// returns the live peers other than us. Blocking; meant for one worker thread (RegistryService),
// and safe if called from several (calls are serialised). The accessors never block on a
// heartbeat in flight: they report the state after the last one.
//
// Requests per heartbeat (docs/registry.md counts them):
//   - first beat only (the issue number is cached): GET /repos/{o}/{r}/issues?state=open&
//     per_page=100 (+ next pages), and POST /repos/{o}/{r}/issues when no registry issue exists;
//   - GET /repos/{o}/{r}/issues/{n}/comments?per_page=100 (+ next pages via Link, at most
//     kMaxCommentPages), each with If-None-Match when we hold that URL's ETag: a 304 reuses what
//     we parsed before and costs no quota; skipped right after we created the issue;
//   - PATCH /repos/{o}/{r}/issues/comments/{id} on our comment, or POST /repos/{o}/{r}/issues/{n}/
//     comments when we have none (or the PATCH answers 404);
//   - DELETE /repos/{o}/{r}/issues/comments/{id} per stale duplicate of ours (rare).
// A 404/410 on the comments list forgets the issue number and finds the issue again, once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "discovery/registry/comment.hpp"
#include "discovery/registry/roster.hpp"
#include "github/client.hpp"

namespace ipfsa::registry {

inline constexpr std::size_t kMaxRepoBytes = 200;  // "owner/name" (GitHub: 39 + 1 + 100)

struct RegistryConfig {
  std::string repo;  // "owner/name"
  // Our comment: runner_name, peer_id, multiaddr (with /p2p/), listen_port, public_ip, metadata.
  // last_seen is set from `clock` at every heartbeat. No secrets in metadata: it is public.
  PeerRecord self;
  std::function<WallTime()> clock = [] { return WallClock::now(); };
};

// What the registry did, for status pages and for counting quota.
struct RegistryStats {
  std::uint64_t heartbeats = 0;    // successful heartbeat_once() calls
  std::uint64_t requests = 0;      // HTTP requests sent (every status)
  std::uint64_t not_modified = 0;  // of which 304 (no quota)
  std::uint64_t comments_created = 0;
  std::uint64_t comments_updated = 0;
  std::uint64_t comments_deleted = 0;
  std::uint64_t issues_created = 0;
  std::uint64_t write_denied = 0;  // heartbeats whose POST/PATCH the token was not allowed
};

class Registry {
 public:
  // REQUIRES: `client` outlives the Registry. Errors: Error::malformed (repo not "owner/name" of
  // [A-Za-z0-9._-], or a self record build_comment_body() refuses), Error::too_large.
  static Result<std::unique_ptr<Registry>> create(github::Client& client, RegistryConfig config);

  // One heartbeat (see the file comment). Errors: Error::rate_limited (rate limited: the
  // client's retry_after() says for how long), Error::not_found (repository or issue gone),
  // Error::io_failure (transport failure, 401/403, 5xx), Error::malformed (a response that does
  // not parse), and github::Client::send errors. last_error() has the detail. A token that can
  // read but not write (401, or 403 without a rate limit, on our POST/PATCH) still returns the
  // peers read; last_error() then says "reading only".
  Result<std::vector<RegistryPeer>> heartbeat_once();

  // Makes the HTTP call in flight and every later request fail with Error::cancelled, so a
  // heartbeat in flight ends within about a second, even while GitHub is slow to answer
  // (RegistryService::stop uses it). Cannot be undone.
  void cancel() { cancelled_.store(true); }

  std::optional<std::uint64_t> issue_number() const;
  std::optional<std::uint64_t> own_comment_id() const;
  RegistryStats stats() const;
  std::string last_error() const;  // "" after a successful heartbeat
  // How long the GitHub client refuses "core" calls (0 = not rate limited).
  std::chrono::seconds retry_after() const { return client_.retry_after("core"); }
  const RegistryConfig& config() const { return config_; }

 private:
  struct CachedPage {
    std::string etag;
    std::optional<std::string> next;  // Link rel="next" target
    std::vector<IssueSummary> issues;
    std::vector<IssueComment> comments;
  };
  enum class ListKind { issues, comments };

  Registry(github::Client& client, RegistryConfig config);
  Result<std::vector<RegistryPeer>> heartbeat();
  Result<void> find_or_create_issue();
  Result<std::vector<IssueComment>> read_comments();
  // Reads a paginated list with per-URL ETags; fills issues or comments.
  Result<void> read_list(ListKind kind, std::string first, std::size_t max_pages,
                         std::vector<IssueSummary>* issues, std::vector<IssueComment>* comments);
  Result<void> upsert(const std::vector<IssueComment>& comments, WallTime now);
  void delete_duplicates(const std::vector<std::uint64_t>& ids);
  Result<github::Response> send(github::Request request);
  // `on_repository`: the call addresses the repository itself (its issue list, a new issue), so
  // a 404 means the repository is missing or hidden from the token.
  Result<void> fail(const github::Response& response, std::string_view what,
                    bool on_repository = false);
  std::string repo_path() const { return "/repos/" + config_.repo; }

  github::Client& client_;
  RegistryConfig config_;
  std::atomic<bool> cancelled_{false};
  std::mutex call_mutex_;  // one heartbeat at a time; guards the working state below
  std::optional<std::uint64_t> issue_;
  bool issue_just_created_ = false;
  bool denied_ = false;  // the last fail() was a 401/403 that is not a rate limit
  std::optional<std::uint64_t> own_comment_;
  std::map<std::string, CachedPage, std::less<>> pages_;  // by request target
  RegistryStats stats_;
  std::string last_error_;
  // What the accessors report, copied after each heartbeat, so a status page never waits for a
  // heartbeat's HTTP calls.
  struct Published {
    std::optional<std::uint64_t> issue;
    std::optional<std::uint64_t> own_comment;
    RegistryStats stats;
    std::string last_error;
  };
  mutable std::mutex published_mutex_;
  Published published_;
};

}  // namespace ipfsa::registry
