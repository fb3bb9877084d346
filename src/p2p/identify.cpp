#include "p2p/identify.hpp"

#include <optional>
#include <utility>

#include "base/log.hpp"
#include "io/deadline.hpp"
#include "wire/varint.hpp"

namespace ipfsa::p2p {

namespace {

// Reads every length-prefixed Identify message up to the end of the stream and merges them.
io::Task<Result<proto::identify::Identify>> read_identify(Stream& stream) {
  auto bytes = co_await stream.read_to_end(proto::identify::kMaxMessages *
                                           (proto::identify::kMaxMessageSize + 2));
  if (!bytes) co_return bytes.error();
  wire::Reader reader(*bytes);
  std::optional<proto::identify::Identify> merged;
  while (!reader.empty()) {
    auto body = reader.length_prefixed(proto::identify::kMaxMessageSize);
    if (!body) co_return body.error();
    auto message = proto::identify::decode(*body);
    if (!message) co_return message.error();
    if (merged) {
      proto::identify::merge(*merged, std::move(*message));
    } else {
      merged = std::move(*message);
    }
  }
  if (!merged) co_return make_error_code(Error::truncated);
  co_return std::move(*merged);
}

}  // namespace

IdentifyService::IdentifyService(Hooks hooks, Duration read_timeout)
    : hooks_(std::move(hooks)), read_timeout_(read_timeout) {}

Bytes IdentifyService::message_for(const Connection& connection) const {
  std::optional<wire::Multiaddr> observed;
  if (!connection.remote_addr().empty()) observed = connection.remote_addr();
  return proto::identify::frame(proto::identify::describe(hooks_.self(), observed));
}

void IdentifyService::apply(Connection& connection, proto::identify::Identify message,
                            bool push) {
  auto info = proto::identify::interpret(
      std::move(message), connection.remote_peer(),
      push ? proto::identify::Exchange::push : proto::identify::Exchange::identify);
  if (!info) {
    log::info("identify{} from {} rejected: {}", push ? "-push" : "",
              connection.remote_peer().to_string(), info.error().message());
    return;
  }
  auto& remote = connection.remote_info();
  if (!push || !info->agent_version.empty()) remote.agent_version = info->agent_version;
  if (!push || !info->protocol_version.empty()) remote.protocol_version = info->protocol_version;
  if (!push || !info->protocols.empty()) remote.protocols = info->protocols;
  if (!push || !info->listen_addrs.empty()) remote.listen_addrs = info->listen_addrs;
  if (info->observed_addr) remote.observed_addr = info->observed_addr;
  remote.identified = true;
  log::debug("identified {}: agent {}, {} protocols, {} addrs ({} unusable dropped)",
             connection.remote_peer().to_string(), remote.agent_version, remote.protocols.size(),
             remote.listen_addrs.size(), info->dropped_listen_addrs);
  hooks_.identified(connection);
}

io::Task<void> IdentifyService::serve(Stream stream) {
  const Bytes message = message_for(stream.connection());
  if (auto r = co_await stream.write(message); !r) co_return;
  (void)stream.close_write();
}

io::Task<void> IdentifyService::serve_push(Stream stream) {
  auto result = co_await io::with_timeout(read_identify(stream), read_timeout_);
  if (!result || !*result) {
    stream.reset();
    co_return;
  }
  (void)stream.close_write();
  apply(stream.connection(), std::move(**result), true);
}

io::Task<void> IdentifyService::identify(Stream stream) {
  const std::string peer = stream.remote_peer().to_string();
  (void)stream.close_write();
  auto result = co_await io::with_timeout(read_identify(stream), read_timeout_);
  if (!result) {
    stream.reset();
    log::debug("identify {}: timed out", peer);
    co_return;
  }
  auto& message = *result;
  if (!message) {
    log::info("identify {}: {}", peer, message.error().message());
    stream.reset();
    co_return;
  }
  apply(stream.connection(), std::move(*message), false);
}

io::Task<void> IdentifyService::push(Stream stream) {
  const Bytes message = message_for(stream.connection());
  if (auto r = co_await stream.write(message); !r) co_return;
  (void)stream.close_write();
}

}  // namespace ipfsa::p2p
