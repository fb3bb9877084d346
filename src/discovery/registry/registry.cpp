#include "discovery/registry/registry.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "base/log.hpp"
#include "discovery/registry/settings.hpp"
#include "github/link.hpp"

namespace ipfsa::registry {
namespace {

// Caps the ETag cache: the registry reads at most this many distinct list URLs.
constexpr std::size_t kMaxCachedPages = 2 * (kMaxIssuePages + kMaxCommentPages);
// GitHub's own explanation of an error answer, quoted in ours up to this many characters.
constexpr std::size_t kMaxQuotedMessage = 200;

// The "message" of a GitHub error body ({"message": "...", ...}), printable ASCII only and
// shortened; "" if there is none.
std::string github_message(std::string_view body) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(body.substr(0, 64 * 1024), ec);
  if (ec || !doc.is_object()) return {};
  const auto* message = doc.as_object().if_contains("message");
  if (message == nullptr || !message->is_string()) return {};
  std::string out;
  for (char c : message->as_string()) {
    if (out.size() == kMaxQuotedMessage) {
      out += "...";
      break;
    }
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Registry>> Registry::create(github::Client& client, RegistryConfig config) {
  if (config.repo.size() > kMaxRepoBytes) return Error::too_large;
  if (!valid_repo(config.repo)) return Error::malformed;
  if (auto body = build_comment_body(config.self); !body) return body.error();
  if (!config.clock) return Error::malformed;
  return std::unique_ptr<Registry>(new Registry(client, std::move(config)));
}

Registry::Registry(github::Client& client, RegistryConfig config)
    : client_(client), config_(std::move(config)) {}

std::optional<std::uint64_t> Registry::issue_number() const {
  std::lock_guard lock(published_mutex_);
  return published_.issue;
}

std::optional<std::uint64_t> Registry::own_comment_id() const {
  std::lock_guard lock(published_mutex_);
  return published_.own_comment;
}

RegistryStats Registry::stats() const {
  std::lock_guard lock(published_mutex_);
  return published_.stats;
}

std::string Registry::last_error() const {
  std::lock_guard lock(published_mutex_);
  return published_.last_error;
}

Result<std::vector<RegistryPeer>> Registry::heartbeat_once() {
  std::lock_guard call(call_mutex_);
  auto result = heartbeat();
  std::lock_guard lock(published_mutex_);
  published_ = {issue_, own_comment_, stats_, last_error_};
  return result;
}

Result<std::vector<RegistryPeer>> Registry::heartbeat() {
  const WallTime now = config_.clock();
  if (issue_just_created_) {
    // Another node may have created one at the same moment: look again once; lowest wins.
    const auto created = issue_;
    issue_.reset();
    issue_just_created_ = false;
    if (auto ok = find_or_create_issue(); !ok) return ok.error();
    if (issue_ != created) {
      log::info("registry: using issue #{} (lower than our #{})", *issue_, *created);
      own_comment_.reset();  // it lives on the issue we leave
    }
  }
  if (!issue_) {
    if (auto ok = find_or_create_issue(); !ok) return ok.error();
  }
  auto comments = read_comments();
  if (!comments && comments.error() == Error::not_found) {
    log::info("registry: issue #{} is gone; looking for the registry issue again", *issue_);
    issue_.reset();
    own_comment_.reset();
    pages_.clear();
    if (auto ok = find_or_create_issue(); !ok) return ok.error();
    comments = read_comments();
  }
  if (!comments) return comments.error();
  std::string write_error;
  denied_ = false;
  if (auto ok = upsert(*comments, now); !ok) {
    if (!denied_) return ok.error();
    // A token that may read but not write (a fork's pull request, a read-only token): we still
    // learn the others, they just do not learn us.
    write_error = last_error_ + " (the token cannot write: reading only)";
    ++stats_.write_denied;
    if (stats_.write_denied == 1) log::warn("registry: {}", write_error);
  }
  const Self self{config_.self.runner_name, config_.self.peer_id};
  auto peers = live_peers(*comments, self, now);
  ++stats_.heartbeats;
  last_error_ = std::move(write_error);
  log::debug("registry: heartbeat on {}#{}: {} live peer(s)", config_.repo, *issue_, peers.size());
  return peers;
}

Result<void> Registry::find_or_create_issue() {
  std::vector<IssueSummary> issues;
  auto listed = read_list(ListKind::issues, repo_path() + "/issues?state=open&per_page=100",
                          kMaxIssuePages, &issues, nullptr);
  if (!listed) return listed.error();
  if (auto n = choose_issue(issues)) {
    issue_ = *n;
    return {};
  }
  github::Request req;
  req.method = "POST";
  req.target = repo_path() + "/issues";
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = "{\"title\":" + github::json_quote(kIssueTitle) +
             ",\"body\":" + github::json_quote(kIssueBody) + "}";
  auto r = send(std::move(req));
  if (!r) return r.error();
  if (r->status != 201 && r->status != 200) return fail(*r, "create registry issue", true);
  auto n = parse_number_field(r->body, "number");
  if (!n) {
    last_error_ = "create registry issue: response without a number";
    return n.error();
  }
  issue_ = *n;
  issue_just_created_ = true;
  ++stats_.issues_created;
  log::info("registry: created issue #{} in {}", *n, config_.repo);
  // Nodes started together on a fresh repository each create one. Issue numbers follow creation
  // order, so listing again now shows every issue created before ours: the lowest wins at once,
  // instead of leaving the fleet split until the next beat (which still looks once more, for a
  // listing that lagged behind).
  issues.clear();
  if (read_list(ListKind::issues, repo_path() + "/issues?state=open&per_page=100", kMaxIssuePages,
                &issues, nullptr)) {
    if (auto lowest = choose_issue(issues); lowest && *lowest < *n) {
      log::info("registry: using issue #{} (lower than our #{})", *lowest, *n);
      issue_ = *lowest;
      issue_just_created_ = false;
    }
  }
  return {};
}

Result<std::vector<IssueComment>> Registry::read_comments() {
  std::vector<IssueComment> comments;
  if (issue_just_created_) return comments;  // a new issue has no comments yet
  auto ok = read_list(ListKind::comments,
                      repo_path() + "/issues/" + std::to_string(*issue_) + "/comments?per_page=100",
                      kMaxCommentPages, nullptr, &comments);
  if (!ok) return ok.error();
  return comments;
}

Result<void> Registry::read_list(ListKind kind, std::string target, std::size_t max_pages,
                                 std::vector<IssueSummary>* issues,
                                 std::vector<IssueComment>* comments) {
  for (std::size_t page = 0; page < max_pages; ++page) {
    github::Request req;
    req.target = target;
    const auto cached = pages_.find(target);
    if (cached != pages_.end()) req.if_none_match = cached->second.etag;
    auto r = send(std::move(req));
    if (!r) return r.error();
    CachedPage current;
    if (r->status == 304 && cached != pages_.end()) {
      ++stats_.not_modified;
      current = cached->second;
    } else if (r->status == 200) {
      bool ok = true;
      if (kind == ListKind::issues) {
        auto parsed = parse_issues_page(r->body);
        if (parsed) current.issues = std::move(*parsed);
        ok = parsed.has_value();
      } else {
        auto parsed = parse_comments_page(r->body);
        if (parsed) current.comments = std::move(*parsed);
        ok = parsed.has_value();
      }
      if (!ok) {
        last_error_ = "GET " + target + ": unreadable list";
        return Error::malformed;
      }
      if (auto link = r->header("link")) current.next = github::find_link(*link, "next");
      if (auto etag = r->header("etag")) current.etag = std::string(*etag);
      if (cached != pages_.end()) pages_.erase(cached);
      if (!current.etag.empty()) {
        if (pages_.size() >= kMaxCachedPages) pages_.clear();
        pages_.emplace(target, current);
      }
    } else {
      return fail(*r, "GET " + target, kind == ListKind::issues);
    }
    if (issues != nullptr) {
      issues->insert(issues->end(), current.issues.begin(), current.issues.end());
    }
    if (comments != nullptr) {
      comments->insert(comments->end(), current.comments.begin(), current.comments.end());
    }
    if (!current.next) return {};
    target = std::move(*current.next);
  }
  log::debug("registry: stopped reading {} after {} pages",
             kind == ListKind::issues ? "issues" : "comments", max_pages);
  return {};
}

Result<void> Registry::upsert(const std::vector<IssueComment>& comments, WallTime now) {
  PeerRecord self = config_.self;
  self.last_seen = now;
  auto body = build_comment_body(self);
  if (!body) return body.error();
  const std::string payload = "{\"body\":" + github::json_quote(*body) + "}";

  const OwnComments own = own_comments(comments, self.runner_name);
  // Our comment may lie beyond the pages we read: then PATCH the one we wrote last time.
  const std::optional<std::uint64_t> target = own.keep ? own.keep : own_comment_;
  if (target) {
    github::Request req;
    req.method = "PATCH";
    req.target = repo_path() + "/issues/comments/" + std::to_string(*target);
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = payload;
    auto r = send(std::move(req));
    if (!r) return r.error();
    if (r->status == 200) {
      own_comment_ = *target;
      ++stats_.comments_updated;
      delete_duplicates(own.remove);
      return {};
    }
    if (r->status != 404) return fail(*r, "update registry comment");
    log::debug("registry: comment {} is gone; posting a new one", *target);
    own_comment_.reset();
  }
  github::Request req;
  req.method = "POST";
  req.target = repo_path() + "/issues/" + std::to_string(*issue_) + "/comments";
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = payload;
  auto r = send(std::move(req));
  if (!r) return r.error();
  if (r->status != 201 && r->status != 200) return fail(*r, "post registry comment");
  auto id = parse_number_field(r->body, "id");
  if (!id) {
    last_error_ = "post registry comment: response without an id";
    return id.error();
  }
  own_comment_ = *id;
  ++stats_.comments_created;
  delete_duplicates(own.remove);
  return {};
}

void Registry::delete_duplicates(const std::vector<std::uint64_t>& ids) {
  for (auto id : ids) {
    github::Request req;
    req.method = "DELETE";
    req.target = repo_path() + "/issues/comments/" + std::to_string(id);
    auto r = send(std::move(req));
    if (!r) {
      log::debug("registry: deleting duplicate comment {}: {}", id, r.error().message());
      return;  // rate limited or unreachable: try again next heartbeat
    }
    if (r->status != 204 && r->status != 200 && r->status != 404) {
      log::debug("registry: deleting duplicate comment {}: HTTP {}", id, r->status);
      continue;
    }
    ++stats_.comments_deleted;
    for (auto& [url, page] : pages_) {
      std::erase_if(page.comments, [id](const IssueComment& c) { return c.id == id; });
    }
  }
}

Result<github::Response> Registry::send(github::Request request) {
  const std::string what = request.method + " " + request.target;
  if (cancelled_.load()) {
    last_error_ = what + ": cancelled";
    return Error::cancelled;
  }
  request.cancel = &cancelled_;  // cancel() also ends a call that is waiting for GitHub
  auto r = client_.send(request);
  if (!r) {
    if (r.error() == Error::cancelled) {
      last_error_ = what + ": cancelled";
      return Error::cancelled;
    }
    last_error_ = what + ": " + r.error().message();
    if (r.error() == Error::io_failure || r.error() == Error::timeout) {
      // The transport's own reason (refused, DNS, TLS) is in the client's debug log.
      last_error_ += " (cannot reach " + client_.config().api_url + "; LOG_LEVEL=debug says why)";
    }
    if (r.error() == Error::rate_limited) {
      last_error_ += " (retry in " + std::to_string(client_.retry_after().count()) + " s)";
    }
    return r.error();
  }
  ++stats_.requests;
  return r;
}

Result<void> Registry::fail(const github::Response& response, std::string_view what,
                            bool on_repository) {
  last_error_ = std::string(what) + ": HTTP " + std::to_string(response.status);
  // What it means for the registry, then GitHub's own words.
  switch (response.status) {
    case 401:
      last_error_ += " (GitHub refused the token)";
      break;
    case 404:
      // (On a comment list or a comment, a 404 means the issue or comment is gone.)
      if (on_repository) {
        last_error_ += " (no repository " + config_.repo +
                       ", or the token cannot see it: IPFS_ACCELERATE_GITHUB_REPO / GITHUB_REPOSITORY)";
      }
      break;
    default:
      break;
  }
  if (auto message = github_message(response.body); !message.empty()) {
    last_error_ += ": \"" + message + "\"";
  }
  switch (response.status) {
    case 404:
    case 410:
      return Error::not_found;
    case 401:
      denied_ = true;
      return Error::io_failure;
    case 403:
    case 429:
      if (client_.retry_after().count() > 0) return Error::rate_limited;
      denied_ = response.status == 403;
      return Error::io_failure;
    case 422:
      return Error::malformed;
    default:
      return Error::io_failure;
  }
}

}  // namespace ipfsa::registry
