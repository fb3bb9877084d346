#include "proto/yamux/session.hpp"

#include <algorithm>
#include <limits>

namespace ipfsa::proto::yamux {
namespace {

// Data events for one stream are merged up to this size.
constexpr std::size_t kCoalesceBytes = 64 * 1024;

}  // namespace

Session::Session(Role role, Config config, TimePoint now)
    : role_(role),
      config_(config),
      // Spec "StreamID Field": the client uses odd ids, the server even; 0 is the session.
      next_id_(role == Role::client ? 1 : 2),
      now_(now) {
  config_.max_streams = std::clamp<std::size_t>(config_.max_streams, 1, kMaxStreams);
  config_.max_window = std::clamp(config_.max_window, kInitialWindow, kMaxWindow);
  if (config_.keepalive_interval > Duration::zero()) {
    // js pings at once to learn the RTT, which window tuning needs.
    send_ping();
    next_keepalive_ = now + config_.keepalive_interval;
  }
}

// ---- Input --------------------------------------------------------------------------------

Result<void> Session::handle_input(ByteView bytes, TimePoint now) {
  if (error_) return error_;
  now_ = now;
  while (!bytes.empty()) {
    if (payload_left_ == 0) {
      // Checked per frame so that one large handle_input() cannot queue without bound either.
      if (events_.size() > kMaxPendingEvents) {
        return fail(Error::limit_exceeded, kGoAwayInternalError);
      }
      const std::size_t take = std::min(kHeaderSize - header_fill_, bytes.size());
      std::copy_n(bytes.data(), take, header_buf_ + header_fill_);
      header_fill_ += take;
      bytes = bytes.subspan(take);
      if (header_fill_ < kHeaderSize) break;
      header_fill_ = 0;
      auto header = decode_header(ByteView(header_buf_, kHeaderSize));
      // Bad version or type: js and go answer GoAway(protocol error) too.
      if (!header) return fail(Error::protocol_violation, kGoAwayProtocolError);
      if (auto ok = on_header(*header); !ok) return ok;
    } else {
      const std::size_t take = std::min<std::size_t>(payload_left_, bytes.size());
      payload_left_ -= static_cast<std::uint32_t>(take);
      if (payload_to_stream_) on_payload(bytes.first(take));
      bytes = bytes.subspan(take);
      if (payload_left_ == 0) apply_close_flags(frame_.stream, frame_.flags);
    }
  }
  if (events_.size() > kMaxPendingEvents) return fail(Error::limit_exceeded, kGoAwayInternalError);
  return {};
}

Result<void> Session::on_header(const Header& h) {
  switch (h.type) {
    case FrameType::ping:
      return on_ping(h);
    case FrameType::go_away:
      // Spec "StreamID Field": ping and go away always use stream 0.
      if (h.stream != 0) return fail(Error::protocol_violation, kGoAwayProtocolError);
      if (!remote_go_away_) {
        remote_go_away_ = true;
        push_event({.kind = Event::Kind::go_away, .code = h.length});
      }
      return {};
    case FrameType::data:
    case FrameType::window_update:
      return on_stream_frame(h);
  }
  return fail(Error::protocol_violation, kGoAwayProtocolError);
}

Result<void> Session::on_ping(const Header& h) {
  if (h.stream != 0) return fail(Error::protocol_violation, kGoAwayProtocolError);
  if (h.has(kFlagSyn)) {
    // Ping request: echo the opaque value with ACK. A peer that floods pings without reading
    // our replies would grow the outgoing buffer without bound.
    if (out_.size() > kMaxOutgoingBytes + kMaxOutgoingControlBytes) {
      return fail(Error::limit_exceeded, kGoAwayInternalError);
    }
    queue(FrameType::ping, kFlagAck, 0, h.length);
    return {};
  }
  if (!h.has(kFlagAck)) return fail(Error::protocol_violation, kGoAwayProtocolError);
  // A reply to something we did not ask (or an old ping) is ignored; js is stricter.
  if (ping_id_ && *ping_id_ == h.length) {
    ping_id_.reset();
    rtt_ = now_ - ping_sent_;
    push_event({.kind = Event::Kind::ping_rtt, .rtt = *rtt_});
  }
  return {};
}

Result<void> Session::on_stream_frame(const Header& h) {
  if (h.stream == 0) return fail(Error::protocol_violation, kGoAwayProtocolError);
  Stream* s = find(h.stream);
  if (h.has(kFlagSyn)) {
    // Spec "Opening a stream": SYN on a data or window update frame with a new id of the
    // peer's parity. A live id is a reuse; our parity means both sides think they dial.
    if (!is_peer_id(h.stream) || s != nullptr) {
      return fail(Error::protocol_violation, kGoAwayProtocolError);
    }
    if (local_go_away_ || inbound_count_ >= config_.max_streams) {
      // Reject like js: WINDOW_UPDATE+RST. The frame (and later ones) then go to no stream.
      if (out_.size() > kMaxOutgoingBytes + kMaxOutgoingControlBytes) {
        return fail(Error::limit_exceeded, kGoAwayInternalError);
      }
      queue(FrameType::window_update, kFlagRst, h.stream, 0);
    } else {
      Stream fresh;
      fresh.epoch = now_;
      s = &streams_.emplace(h.stream, fresh).first->second;
      ++inbound_count_;
      // Accept at once (go-yamux ACKs on accept; js on its first frame). The application
      // learns about the stream from the event; back-pressure is max_streams.
      queue(FrameType::window_update, kFlagAck, h.stream, 0);
      push_event({.kind = Event::Kind::inbound_stream, .stream = h.stream});
    }
  }
  if (h.type == FrameType::window_update) return on_window_update(h, s);
  return on_data_header(h, s);
}

Result<void> Session::on_window_update(const Header& h, Stream* s) {
  if (s != nullptr) {
    // Spec "Flow Control": the length is the increase of our send window.
    if (h.length > std::numeric_limits<std::uint32_t>::max() - s->send_window) {
      return fail(Error::protocol_violation, kGoAwayProtocolError);
    }
    s->send_window += h.length;
    if (s->write_blocked && s->send_window > 0 && !s->local_closed) {
      s->write_blocked = false;
      push_event({.kind = Event::Kind::writable, .stream = h.stream});
    }
  }
  // Frames for unknown (closed, reset or rejected) streams are ignored.
  apply_close_flags(h.stream, h.flags);
  return {};
}

Result<void> Session::on_data_header(const Header& h, Stream* s) {
  frame_ = h;
  payload_left_ = h.length;
  payload_to_stream_ = false;
  if (s != nullptr) {
    // Checked on the header, before any payload is buffered.
    if (h.length > s->recv_credit) return fail(Error::window_exceeded, kGoAwayProtocolError);
    s->recv_credit -= h.length;
    // Data after the peer's FIN is dropped: the application was told the stream ended.
    if (!s->remote_closed) {
      s->unconsumed += h.length;
      payload_to_stream_ = true;
    }
  } else if (h.length > config_.max_window) {
    // Data for a stream we already forgot is skipped, but no stream ever had a larger window.
    return fail(Error::window_exceeded, kGoAwayProtocolError);
  }
  if (payload_left_ == 0) apply_close_flags(h.stream, h.flags);
  return {};
}

void Session::on_payload(ByteView chunk) {
  // The application may have reset the stream between two chunks of one frame.
  if (!streams_.contains(frame_.stream)) return;
  // The only copy of the payload: into the event the application takes. Small consecutive
  // chunks for one stream coalesce; large ones do not, so buffers stay heap-sized and reusable
  // instead of growing (and page-faulting) to a whole window.
  if (!events_.empty() && events_.back().kind == Event::Kind::data &&
      events_.back().stream == frame_.stream &&
      events_.back().data.size() + chunk.size() <= kCoalesceBytes) {
    append(events_.back().data, chunk);
    return;
  }
  Event event{.kind = Event::Kind::data, .stream = frame_.stream};
  event.data.assign(chunk.begin(), chunk.end());
  push_event(std::move(event));
}

void Session::apply_close_flags(StreamId id, std::uint16_t flags) {
  Stream* s = find(id);
  if (s == nullptr) return;
  if ((flags & kFlagRst) != 0) {
    push_event({.kind = Event::Kind::reset, .stream = id});
    free_stream(id);
    return;
  }
  if ((flags & kFlagFin) != 0 && !s->remote_closed) {
    // Spec "Closing a stream": half-close; the stream ends once both sides sent FIN.
    s->remote_closed = true;
    push_event({.kind = Event::Kind::remote_closed, .stream = id});
    if (s->local_closed) free_stream(id);
  }
}

// ---- Commands -----------------------------------------------------------------------------

Result<StreamId> Session::open_stream() {
  if (error_ || local_go_away_ || remote_go_away_) return Error::session_closed;
  if (outbound_count_ >= config_.max_streams) return Error::too_many_streams;
  // Ids of one parity run out after 2^31 streams; the session is then spent.
  if (next_id_ > std::numeric_limits<StreamId>::max() - 2) return Error::session_closed;
  const StreamId id = next_id_;
  next_id_ += 2;
  Stream fresh;
  fresh.outbound = true;
  fresh.epoch = now_;
  streams_.emplace(id, fresh);
  ++outbound_count_;
  // Open with WINDOW_UPDATE+SYN and no increase, as js and go-yamux do.
  queue(FrameType::window_update, kFlagSyn, id, 0);
  return id;
}

Result<std::size_t> Session::write(StreamId id, ByteView data) {
  if (error_) return Error::session_closed;
  Stream* s = find(id);
  if (s == nullptr || s->local_closed) return Error::stream_closed;
  std::size_t taken = 0;
  // Never beyond the peer's window (spec "Flow Control") nor the outgoing budget.
  while (taken < data.size() && s->send_window > 0 &&
         out_.size() + kHeaderSize < kMaxOutgoingBytes) {
    const std::size_t chunk =
        std::min({data.size() - taken, std::size_t{s->send_window}, kMaxFramePayload,
                  kMaxOutgoingBytes - out_.size() - kHeaderSize});
    queue(FrameType::data, 0, id, static_cast<std::uint32_t>(chunk));
    append(out_, data.subspan(taken, chunk));
    s->send_window -= static_cast<std::uint32_t>(chunk);
    taken += chunk;
  }
  if (taken < data.size()) {
    s->write_blocked = true;
    if (s->send_window > 0) budget_blocked_ = true;
  }
  return taken;
}

Result<void> Session::close_write(StreamId id) {
  if (error_) return Error::session_closed;
  Stream* s = find(id);
  if (s == nullptr || s->local_closed) return Error::stream_closed;
  s->local_closed = true;
  s->write_blocked = false;
  queue(FrameType::window_update, kFlagFin, id, 0);
  if (s->remote_closed) free_stream(id);
  return {};
}

void Session::reset(StreamId id) {
  if (error_ || find(id) == nullptr) return;
  queue(FrameType::window_update, kFlagRst, id, 0);
  free_stream(id);
}

void Session::consumed(StreamId id, std::size_t n) {
  if (error_) return;
  Stream* s = find(id);
  if (s == nullptr) return;
  const auto credit = static_cast<std::uint32_t>(std::min<std::size_t>(n, s->unconsumed));
  s->unconsumed -= credit;
  s->pending_credit += credit;
  maybe_send_window_update(*s, id);
}

void Session::maybe_send_window_update(Stream& s, StreamId id) {
  // No more data can come after FIN; go-yamux also sends updates once half the window is
  // consumed, which keeps update frames rare.
  if (s.remote_closed || s.pending_credit < s.recv_window / 2) return;
  std::uint32_t growth = 0;
  // Auto-tuning (go-yamux, js): half a window consumed within 4 RTTs of the last update means
  // the window, not the reader, limits the peer: double it.
  if (rtt_ && now_ - s.epoch <= 4 * *rtt_ && s.recv_window < config_.max_window) {
    growth = std::min(s.recv_window, config_.max_window - s.recv_window);
  }
  const std::uint32_t delta = s.pending_credit + growth;
  s.recv_window += growth;
  s.recv_credit += delta;
  s.pending_credit = 0;
  s.epoch = now_;
  queue(FrameType::window_update, 0, id, delta);
}

void Session::go_away(std::uint32_t code) {
  if (error_ || local_go_away_) return;
  local_go_away_ = true;
  queue(FrameType::go_away, 0, 0, code);
}

Result<void> Session::ping(TimePoint now) {
  if (error_) return Error::session_closed;
  now_ = now;
  if (!ping_id_) send_ping();
  return {};
}

void Session::send_ping() {
  ping_id_ = next_ping_id_++;
  ping_sent_ = now_;
  queue(FrameType::ping, kFlagSyn, 0, *ping_id_);
}

void Session::handle_timeout(TimePoint now) {
  if (error_) return;
  now_ = now;
  if (ping_id_ && now >= ping_sent_ + config_.ping_timeout) {
    fail(Error::timeout, kGoAwayInternalError);
    return;
  }
  if (config_.keepalive_interval > Duration::zero() && now >= next_keepalive_) {
    if (!ping_id_) send_ping();
    next_keepalive_ = now + config_.keepalive_interval;
  }
}

// ---- Output -------------------------------------------------------------------------------

std::optional<Transmit> Session::poll_transmit(Bytes& out) {
  const std::size_t size = out_.size();
  if (out.empty()) {
    out.swap(out_);  // hand over our buffer; theirs (and its capacity) becomes ours
    out_.clear();
  } else {
    append(out, out_);
    out_.clear();
  }
  if (budget_blocked_ && !error_) {
    budget_blocked_ = false;
    for (auto& [id, s] : streams_) {
      if (s.write_blocked && s.send_window > 0 && !s.local_closed) {
        s.write_blocked = false;
        push_event({.kind = Event::Kind::writable, .stream = id});
      }
    }
  }
  if (size == 0) return std::nullopt;
  return Transmit{size};
}

std::optional<Event> Session::poll() {
  if (events_.empty()) return std::nullopt;
  Event event = std::move(events_.front());
  events_.pop_front();
  return event;
}

std::optional<TimePoint> Session::poll_timeout() const {
  if (error_) return std::nullopt;
  std::optional<TimePoint> deadline;
  if (config_.keepalive_interval > Duration::zero()) deadline = next_keepalive_;
  if (ping_id_) {
    const TimePoint timeout = ping_sent_ + config_.ping_timeout;
    if (!deadline || timeout < *deadline) deadline = timeout;
  }
  return deadline;
}

std::uint32_t Session::send_window(StreamId id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? 0 : it->second.send_window;
}

std::uint32_t Session::receive_window(StreamId id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? 0 : it->second.recv_window;
}

// ---- Helpers ------------------------------------------------------------------------------

Session::Stream* Session::find(StreamId id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

bool Session::is_peer_id(StreamId id) const {
  const bool odd = (id & 1) != 0;
  return role_ == Role::client ? !odd : odd;
}

void Session::free_stream(StreamId id) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  if (it->second.outbound) {
    --outbound_count_;
  } else {
    --inbound_count_;
  }
  streams_.erase(it);
}

void Session::queue(FrameType type, std::uint16_t flags, StreamId id, std::uint32_t length) {
  append_header(out_, Header{.type = type, .flags = flags, .stream = id, .length = length});
}

void Session::push_event(Event event) { events_.push_back(std::move(event)); }

boost::system::error_code Session::fail(Error error, std::uint32_t go_away_code) {
  error_ = error;
  if (!local_go_away_) {
    local_go_away_ = true;
    queue(FrameType::go_away, 0, 0, go_away_code);
  }
  payload_left_ = 0;
  header_fill_ = 0;
  return error_;
}

}  // namespace ipfsa::proto::yamux
