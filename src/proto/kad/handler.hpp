// What our Kademlia server answers (libp2p specs, kad-dht/README.md "RPC messages"): one
// decoded request in, the response to write (or none) out. Pure: the shell reads the request,
// passes the authenticated sender, writes the answer and keeps the stream open for the next
// request. We run in server mode inside the swarm: every member answers.
//
//   kad::Server server{table, providers, self_listen_addrs};
//   auto request = kad::decode(body);                      // error: reset the stream
//   auto answer = kad::handle_request(server, *request, remote_peer, now);
//   if (!answer) reset the stream;                          // refused or invalid
//   else if (*answer) write(kad::frame(**answer));          // ADD_PROVIDER: nothing to write
//
//   FIND_NODE      closerPeers: the k closest to key we know (with addresses, not the sender);
//                  ourselves too when key is our own peer ID
//   GET_PROVIDERS  providerPeers: the live providers of key; closerPeers as FIND_NODE
//   ADD_PROVIDER   records the sender (apply_add_provider); no response
//   PING           PING with the request's key and clusterLevel (js echoes the whole request)
//   GET_VALUE      answered as a server holding no records: closerPeers only, no record
//   PUT_VALUE      refused (unsupported): we store no values, and js/go's success answer (the
//                  request echoed) would claim we did
#pragma once

#include <optional>
#include <span>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "proto/kad/message.hpp"
#include "proto/kad/providers.hpp"
#include "proto/kad/routing_table.hpp"
#include "wire/peer_id.hpp"

namespace ipfsa::proto::kad {

struct Server {
  const RoutingTable& table;
  ProviderStore& providers;
  std::span<const Bytes> self_addrs;  // our listen addresses (without /p2p), binary
};

// The response to `request` from `sender`, or nullopt when the request has none (ADD_PROVIDER).
// Responses echo type, key and clusterLevel as js does, and stay within kMaxMessageSize.
// Errors (reset the stream): protocol_violation (FIND_NODE, GET_PROVIDERS, GET_VALUE or
// ADD_PROVIDER without a key), unsupported (PUT_VALUE), and ProviderStore::add's errors
// (ADD_PROVIDER of a new key while the store is full: limit_exceeded).
Result<std::optional<Message>> handle_request(const Server& server, const Message& request,
                                              const wire::PeerId& sender, TimePoint now);

}  // namespace ipfsa::proto::kad
