#include "p2p/upgrade.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "crypto/random.hpp"
#include "io/deadline.hpp"
#include "p2p/negotiate.hpp"
#include "proto/multistream/multistream.hpp"

namespace ipfsa::p2p {
namespace {

namespace asio = io::asio;

// The byte pipe during the upgrade: raw socket or relay stream, then pnet, then Noise once the
// handshake is done.
// `in` holds bytes of the current layer that the next step has not consumed yet.
class UpgradeIo {
 public:
  UpgradeIo(Pipe& pipe, std::optional<proto::pnet::Protector>& pnet, Duration step)
      : pipe_(pipe), pnet_(pnet), step_(step), buffer_(16 * 1024) {}

  Bytes in;
  std::optional<proto::noise::SecureChannel> secure;
  // Set where a failure has a likelier cause than its error code says (wrong swarm key).
  std::string failure;

  // Appends at least one byte of the current layer to `in`, within one step deadline.
  io::Task<Result<void>> read_more() {
    for (;;) {
      auto n = co_await read_some_raw(buffer_);
      if (!n) co_return n.error();
      std::span<std::uint8_t> data(buffer_.data(), *n);
      if (pnet_) {
        pnet_->decrypt(data);
        if (auto r = check_first_plaintext(data); !r) co_return r.error();
      }
      const std::size_t before = in.size();
      if (secure) {
        if (auto r = secure->decrypt(data, in); !r) co_return r.error();
      } else {
        in.insert(in.end(), data.begin(), data.end());
      }
      if (in.size() > before) co_return Result<void>{};
    }
  }

  // Reads the peer's 24-byte pnet nonce (raw bytes). A peer without a private network sends
  // multistream-select's header in clear instead: that is recognised at once, not at a deadline.
  io::Task<Result<Bytes>> read_nonce() {
    const auto header = proto::pnet::kExpectedFirstPlaintext;
    Bytes out(proto::pnet::kNonceSize);
    std::size_t done = 0;
    while (done < out.size()) {
      auto got = co_await read_some_raw(std::span<std::uint8_t>(out).subspan(done));
      if (!got) co_return got.error();
      done += *got;
      if (done >= header.size() && std::equal(header.begin(), header.end(), out.begin(),
                                              [](char h, std::uint8_t b) {
                                                return static_cast<std::uint8_t>(h) == b;
                                              })) {
        failure =
            "the peer sent multistream-select in clear: it does not use a private network (no "
            "swarm key), we do";
        co_return make_error_code(Error::protocol_violation);
      }
    }
    co_return out;
  }

  // Writes `plaintext` through the current layer (Noise, then pnet), within one step deadline.
  io::Task<Result<void>> write(ByteView plaintext) {
    Bytes out;
    if (secure) {
      secure->encrypt(plaintext, out);
    } else {
      out.assign(plaintext.begin(), plaintext.end());
    }
    if (pnet_) pnet_->encrypt(out);
    co_return co_await write_raw(out);
  }

  // Writes bytes to the pipe as they are, within one step deadline.
  io::Task<Result<void>> write_raw(ByteView data) {
    auto result = co_await io::with_timeout(pipe_.write(data), step_);
    if (!result) co_return make_error_code(Error::timeout);
    co_return *result;
  }

 private:
  // One pipe read within one step deadline; the end of the pipe is session_closed.
  io::Task<Result<std::size_t>> read_some_raw(std::span<std::uint8_t> out) {
    auto result = co_await io::with_timeout(pipe_.read_some(out), step_);
    if (!result) co_return make_error_code(Error::timeout);
    co_return *result;
  }

  // Every libp2p peer's first bytes after pnet are multistream-select's header: with another
  // key they decrypt to garbage, recognised at the first byte that differs (the peer would
  // otherwise be caught only by chance, or by a deadline when the garbage reads as a plausible
  // length prefix).
  Result<void> check_first_plaintext(ByteView decrypted) {
    const std::size_t want = proto::pnet::kExpectedFirstPlaintext.size();
    if (first_plaintext_.size() >= want) return {};
    const std::size_t take = std::min(want - first_plaintext_.size(), decrypted.size());
    first_plaintext_.insert(first_plaintext_.end(), decrypted.begin(),
                            decrypted.begin() + static_cast<std::ptrdiff_t>(take));
    if (auto r = proto::pnet::check_first_plaintext(first_plaintext_); !r) {
      failure =
          "the peer probably uses another swarm key: its first bytes after the private-network "
          "nonce do not decrypt to multistream-select";
      return r.error();
    }
    return {};
  }

  Pipe& pipe_;
  std::optional<proto::pnet::Protector>& pnet_;
  Duration step_;
  Bytes buffer_;
  Bytes first_plaintext_;  // the first decrypted bytes, up to the multistream header's length
};

// Negotiates one layer's protocol (p2p/negotiate.hpp); leaves the bytes after the accepted line
// in io.in (they belong to the negotiated protocol).
template <class Negotiator>
io::Task<Result<std::string>> negotiate(UpgradeIo& io, Negotiator negotiator) {
  // The upgrade's byte source as the loop wants it: what io.in holds first, then the socket.
  struct Transport {
    UpgradeIo& io;
    io::Task<Result<void>> write(ByteView out) { return io.write(out); }
    io::Task<Result<std::size_t>> read_some(std::span<std::uint8_t> dest) {
      if (io.in.empty()) {
        if (auto r = co_await io.read_more(); !r) co_return r.error();
      }
      const std::size_t n = std::min(dest.size(), io.in.size());
      std::copy_n(io.in.begin(), n, dest.begin());
      io.in.erase(io.in.begin(), io.in.begin() + static_cast<std::ptrdiff_t>(n));
      co_return n;
    }
    void unread(Bytes bytes) { io.in.insert(io.in.begin(), bytes.begin(), bytes.end()); }
  } transport{io};
  co_return co_await run_negotiation(negotiator, transport);
}

// Noise XX over 2-byte big-endian length-prefixed messages (noise/README.md "Wire Format").
io::Task<Result<proto::noise::HandshakeResult>> secure(UpgradeIo& io, proto::noise::Role role,
                                                       const UpgradeConfig& config,
                                                       std::optional<wire::PeerId> expected) {
  // Inlined muxer negotiation (connections/inlined-muxer-negotiation.md): we offer Yamux in the
  // Noise extensions; when the peer offers muxers too, the multistream round trip is skipped.
  proto::noise::Extensions extensions;
  if (config.inline_muxer) extensions.stream_muxers.emplace_back(kYamuxProtocolId);
  proto::noise::Handshake handshake(role, *config.identity, crypto::random_secret(32),
                                    crypto::random_secret(32), std::move(expected),
                                    std::move(extensions));
  while (!handshake.is_done()) {
    if (Bytes message; handshake.poll_transmit(message)) {  // our turn to speak
      // One allocation at full size (appending to a 2-byte vector trips g++ 12's -O3
      // -Warray-bounds false positive).
      Bytes frame(2 + message.size());
      store_be16(frame.data(), static_cast<std::uint16_t>(message.size()));
      std::copy(message.begin(), message.end(), frame.begin() + 2);
      if (auto r = co_await io.write(frame); !r) co_return r.error();
      continue;
    }
    while (io.in.size() < 2 || io.in.size() < 2u + load_be16(io.in.data())) {
      if (auto r = co_await io.read_more(); !r) co_return r.error();
    }
    const std::size_t length = load_be16(io.in.data());
    auto r = handshake.handle_input(ByteView(io.in).subspan(2, length), Clock::now());
    io.in.erase(io.in.begin(), io.in.begin() + 2 + static_cast<std::ptrdiff_t>(length));
    if (!r) co_return r.error();
  }
  co_return std::move(handshake).finish();
}

std::string describe(boost::system::error_code ec, bool pnet, std::string_view step,
                     Duration step_timeout) {
  std::string s = std::string(step) + ": ";
  if (ec == Error::timeout) {
    s += "no progress within the step deadline (" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(step_timeout).count()) +
         " ms)";
    return s;
  }
  s += ec.message();
  if (pnet && (ec == Error::malformed || ec == Error::too_large || ec == Error::protocol_violation ||
               ec == Error::negotiation_failed || ec == Error::truncated)) {
    s += " (garbage after the private-network layer: the peer probably uses another swarm key, or none)";
  }
  return s;
}

io::Task<Result<Upgraded>> upgrade(Pipe pipe, UpgradeConfig config,
                                   std::optional<wire::PeerId> expected, bool outbound,
                                   std::string* why) {
  std::optional<proto::pnet::Protector> pnet;
  UpgradeIo io(pipe, pnet, config.step_timeout);
  const bool private_network = config.psk != nullptr;
  // The one line the caller logs: the step, and the likely cause where we know it.
  auto fail = [&](boost::system::error_code ec, std::string_view step) {
    if (why) {
      *why = io.failure.empty() ? describe(ec, private_network, step, config.step_timeout)
                                : std::string(step) + ": " + io.failure;
    }
    return ec;
  };
  if (private_network) {
    // pnet/Private-Networks-PSK-V1.md: both sides send a 24-byte nonce first.
    proto::pnet::Protector protector(*config.psk, crypto::random_bytes(24));
    Bytes nonce(protector.local_nonce().begin(), protector.local_nonce().end());
    if (auto r = co_await io.write_raw(nonce); !r) co_return fail(r.error(), "pnet nonce");
    auto remote = co_await io.read_nonce();
    if (!remote) co_return fail(remote.error(), "pnet nonce");
    if (auto r = protector.receive_nonce(*remote); !r) co_return fail(r.error(), "pnet nonce");
    pnet.emplace(std::move(protector));
  }

  // Named protocol lists and one co_await per statement: g++ 12 miscompiles initializer lists
  // and conditional operators inside co_await expressions.
  const std::vector<std::string> security_protocols{std::string(proto::noise::kProtocolId)};
  const std::vector<std::string> muxer_protocols{std::string(kYamuxProtocolId)};
  Result<std::string> security = make_error_code(Error::invalid_state);
  if (outbound) {
    security = co_await negotiate(io, proto::multistream::Dialer(security_protocols));
  } else {
    security = co_await negotiate(io, proto::multistream::Listener(security_protocols));
  }
  if (!security) co_return fail(security.error(), "security negotiation");
  auto handshake = co_await secure(
      io, outbound ? proto::noise::Role::initiator : proto::noise::Role::responder, config,
      std::move(expected));
  if (!handshake) co_return fail(handshake.error(), "noise handshake");
  // Bytes after the last handshake message are already Noise transport frames.
  io.secure.emplace(std::move(handshake->channel));
  Bytes leftover = std::move(io.in);
  io.in.clear();
  if (auto r = io.secure->decrypt(leftover, io.in); !r) co_return fail(r.error(), "noise transport");

  const auto& offered = handshake->remote_extensions.stream_muxers;
  if (config.inline_muxer && !offered.empty()) {
    if (std::find(offered.begin(), offered.end(), kYamuxProtocolId) == offered.end()) {
      io.failure = "the peer's Noise extensions offer no muxer we speak";
      co_return fail(make_error_code(Error::negotiation_failed), "muxer negotiation");
    }
    log::trace("muxer {} negotiated inside Noise", kYamuxProtocolId);
    co_return Upgraded{SecuredPipe{std::move(pipe), std::move(pnet), std::move(*io.secure),
                                     std::move(io.in)},
                       std::move(handshake->remote_peer)};
  }
  Result<std::string> muxer = make_error_code(Error::invalid_state);
  if (outbound) {
    muxer = co_await negotiate(io, proto::multistream::Dialer(muxer_protocols));
  } else {
    muxer = co_await negotiate(io, proto::multistream::Listener(muxer_protocols));
  }
  if (!muxer) co_return fail(muxer.error(), "muxer negotiation");
  co_return Upgraded{SecuredPipe{std::move(pipe), std::move(pnet), std::move(*io.secure),
                                   std::move(io.in)},
                     std::move(handshake->remote_peer)};
}

// The upgrade within its overall deadline (the pipe is closed when it passes).
io::Task<Result<Upgraded>> bounded_upgrade(Pipe pipe, UpgradeConfig config,
                                           std::optional<wire::PeerId> expected, bool outbound,
                                           std::string* why) {
  auto result = co_await io::with_timeout(
      upgrade(std::move(pipe), config, std::move(expected), outbound, why),
      config.overall_timeout);
  if (!result) {
    if (why) {
      *why = "not finished within the upgrade's overall deadline (" +
             std::to_string(
                 std::chrono::duration_cast<std::chrono::milliseconds>(config.overall_timeout)
                     .count()) +
             " ms)";
    }
    co_return make_error_code(Error::timeout);
  }
  co_return std::move(*result);
}

}  // namespace

io::Task<Result<Upgraded>> upgrade_outbound(Pipe pipe, UpgradeConfig config,
                                            std::optional<wire::PeerId> expected,
                                            std::string* why) {
  return bounded_upgrade(std::move(pipe), config, std::move(expected), true, why);
}

io::Task<Result<Upgraded>> upgrade_inbound(Pipe pipe, UpgradeConfig config, std::string* why) {
  return bounded_upgrade(std::move(pipe), config, std::nullopt, false, why);
}

}  // namespace ipfsa::p2p
