// The membership side of the swarm cache (docs/wire/membership.md): this node's heartbeat on
// gossip, the member exchange on each new connection, and the bound on connections opened to reach
// an owner.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "base/log.hpp"
#include "io/asio.hpp"
#include "io/deadline.hpp"
#include "p2p/host.hpp"
#include "share/sharing.hpp"
#include "share/sharing_counters.hpp"

namespace ipfsa::share {

namespace asio = io::asio;

struct Sharing::Members {
  static void restate(Sharing& self) {
    const auto now = cache::wall_now();
    self.membership_.set_self(sign_member_record(
        self.key_, now.time_since_epoch().count(), self.host_.listen_addrs()));
    if (const auto gone = self.membership_.expire(now); gone > 0) {
      log::debug("sharing: {} member(s) went silent for {} s", gone,
                 std::chrono::duration_cast<std::chrono::seconds>(kMemberTtl).count());
    }
    self.counters_->members = self.membership_.count(now);
  }

  static io::Task<void> heartbeat(Sharing& self, std::weak_ptr<bool> alive) {
    for (;;) {
      asio::steady_timer tick(co_await asio::this_coro::executor, kMemberHeartbeat);
      co_await tick.async_wait(io::kNoThrow);
      if (alive.expired() || !self.running_) co_return;
      restate(self);
      self.publish(Announcement{kAnnouncementVersion, cache::wall_now().time_since_epoch().count(),
                                self.membership_.self()});
    }
  }

  // Sends our live records to `peer` on one stream: frames, then the end of the stream.
  static io::Task<void> send_table(Sharing& self, std::weak_ptr<bool> alive, wire::PeerId peer) {
    auto c = self.host_.connection(peer);
    if (!c) co_return;
    std::vector<std::string> protocols{std::string(kMembersProtocol)};
    auto opened =
        co_await io::with_timeout(self.host_.new_stream(*c, std::move(protocols)), kMemberExchangeTimeout);
    if (alive.expired() || !opened || !*opened) co_return;
    p2p::Stream stream = std::move(**opened);
    Bytes out;
    for (const auto& r : self.membership_.records(cache::wall_now())) {
      append(out, frame(encode_member_record(r)));
    }
    auto written = co_await io::with_timeout(stream.write(out), kMemberExchangeTimeout);
    if (alive.expired()) co_return;
    if (!written || !*written) {
      stream.reset();
      co_return;
    }
    self.counters_->bytes_out += out.size();
    (void)stream.close_write();
  }

  // Reads a peer's table: at most kMaxMembers records, each verified.
  static io::Task<void> receive_table(Sharing& self, p2p::Stream stream) {
    std::weak_ptr<bool> alive = self.alive_;
    const wire::PeerId from = stream.remote_peer();
    const TimePoint deadline = Clock::now() + kMemberExchangeTimeout;
    for (std::size_t n = 0; n < kMaxMembers; ++n) {
      const auto left = std::max<Duration>(Duration::zero(), deadline - Clock::now());
      auto in = co_await io::with_timeout(stream.read_length_prefixed(kMaxMemberRecordBytes), left);
      if (alive.expired() || !self.running_) co_return;
      if (!in || !*in) break;  // the end of the table (or a stuck or broken sender)
      self.counters_->bytes_in += (*in)->size();
      auto record = decode_member_record(**in);
      if (!record || !verify_member_record(*record)) {
        self.offence(from, "unverifiable member record");
        stream.reset();
        co_return;
      }
      // A newcomer's own record is news for the whole swarm: relay it once, so that every member
      // counts it now rather than at its next heartbeat. Records about third parties are not
      // relayed (every joiner would otherwise repeat the whole table).
      if (self.accept_member(*record) == Applied::added && record->peer == from) {
        self.publish(Announcement{kAnnouncementVersion, cache::wall_now().time_since_epoch().count(),
                                  *record});
      }
    }
    stream.reset();
  }
};

void Sharing::start_members() {
  Members::restate(*this);
  host_.set_stream_handler(std::string(kMembersProtocol), [this](p2p::Stream s) -> io::Task<void> {
    return Members::receive_table(*this, std::move(s));
  });
  std::weak_ptr<bool> alive = alive_;
  host_.on_identify([this, alive](p2p::Connection& c) {
    if (alive.expired() || !running_) return;
    const auto& protocols = c.remote_info().protocols;
    if (std::find(protocols.begin(), protocols.end(), kMembersProtocol) == protocols.end()) return;
    Members::restate(*this);  // our addresses as they are now
    asio::co_spawn(context_, Members::send_table(*this, alive, c.remote_peer()), asio::detached);
  });
  asio::co_spawn(context_, Members::heartbeat(*this, alive), asio::detached);
}

Applied Sharing::accept_member(const MemberRecord& record) {
  ++counters_->member_records;
  const auto now = cache::wall_now();
  const bool was_member = membership_.counted(record.peer, now);
  const Applied applied = membership_.apply(record, now);
  if ((applied == Applied::added || applied == Applied::renewed) && !record.addrs.empty() &&
      !host_.connection(record.peer)) {
    host_.address_book().add(record.peer, record.addrs);  // for dialling it on demand
  }
  if (applied == Applied::added || applied == Applied::left) {
    log::debug("sharing: member {} {}", record.peer.to_string(),
               applied == Applied::added ? "joined" : "left");
  }
  // Most records are renewals of a member already counted: recount only when the list changed.
  if (applied == Applied::added || applied == Applied::left ||
      (applied == Applied::renewed && !was_member)) {
    counters_->members = membership_.count(now);
  }
  return applied;
}

void Sharing::member_unreachable(const wire::PeerId& peer) {
  ++counters_->owner_unreachable;
  membership_.mark_unreachable(peer);
  counters_->members = membership_.count(cache::wall_now());
}

void Sharing::note_on_demand(const wire::PeerId& peer) {
  ++counters_->on_demand_dials;
  on_demand_[peer] = Clock::now();
  // Forget the ones whose connection is gone already, then close the least recently used.
  std::erase_if(on_demand_, [this](const auto& kv) { return !host_.connection(kv.first); });
  while (on_demand_.size() > kMaxOnDemandConnections) {
    auto oldest = on_demand_.begin();
    for (auto it = on_demand_.begin(); it != on_demand_.end(); ++it) {
      if (it->second < oldest->second) oldest = it;
    }
    if (auto c = host_.connection(oldest->first)) {
      log::debug("sharing: closing the on-demand connection to {} (over {})",
                 oldest->first.to_string(), kMaxOnDemandConnections);
      c->close(make_error_code(Error::limit_exceeded));
    }
    on_demand_.erase(oldest);
  }
}

std::vector<wire::PeerId> Sharing::members() const {
  return membership_.members(cache::wall_now());
}

std::vector<MemberRecord> Sharing::member_records() const {
  return membership_.records(cache::wall_now());
}

}  // namespace ipfsa::share
