// Gossipsub RPC codec: see rpc.hpp for the schema and limits.
#include "proto/gossipsub/rpc.hpp"

#include "wire/protobuf.hpp"

namespace ipfsa::proto::gossipsub {
namespace pb = wire::pb;
namespace {

void encode_optional(pb::Writer& w, std::uint32_t field, const std::optional<Bytes>& value) {
  if (value) w.bytes(field, *value);
}

Bytes encode_control(const Control& c) {
  pb::Writer w;
  for (const auto& ihave : c.ihave) {
    pb::Writer m;
    m.string(1, ihave.topic);
    for (const auto& id : ihave.ids) m.bytes(2, id);
    w.bytes(1, m.data());
  }
  for (const auto& iwant : c.iwant) {
    pb::Writer m;
    for (const auto& id : iwant.ids) m.bytes(1, id);
    w.bytes(2, m.data());
  }
  for (const auto& graft : c.graft) {
    pb::Writer m;
    m.string(1, graft.topic);
    w.bytes(3, m.data());
  }
  for (const auto& prune : c.prune) {
    pb::Writer m;
    m.string(1, prune.topic);
    for (const auto& peer : prune.peers) {
      pb::Writer p;
      p.bytes(1, peer.peer_id);
      if (!peer.signed_peer_record.empty()) p.bytes(2, peer.signed_peer_record);
      m.bytes(2, p.data());
    }
    if (prune.backoff_seconds) m.varint(3, *prune.backoff_seconds);
    w.bytes(4, m.data());
  }
  for (const auto& idontwant : c.idontwant) {
    pb::Writer m;
    for (const auto& id : idontwant.ids) m.bytes(1, id);
    w.bytes(5, m.data());
  }
  return std::move(w).take();
}

// Shared by the decoders of one RPC: the per-RPC budgets.
struct Budget {
  std::size_t control_entries = 0;
  std::size_t ids = 0;
};

Result<std::string> topic_of(const pb::Field& f) {
  if (f.type != pb::WireType::len) return make_error_code(Error::malformed);
  if (f.bytes.size() > kMaxTopicLength) return make_error_code(Error::too_large);
  return to_string(f.bytes);
}

Result<Bytes> id_of(const pb::Field& f, Budget& budget) {
  if (f.type != pb::WireType::len) return make_error_code(Error::malformed);
  if (f.bytes.size() > kMaxMessageIdLength) return make_error_code(Error::too_large);
  if (++budget.ids > kMaxIdsPerRpc) return make_error_code(Error::too_large);
  return Bytes(f.bytes.begin(), f.bytes.end());
}

Result<SubOpts> decode_subopts(ByteView in) {
  SubOpts out;
  pb::Reader r(in);
  pb::Field f;
  while (r.next(f)) {
    if (f.number == 1) {
      if (f.type != pb::WireType::varint || f.varint > 1) return make_error_code(Error::malformed);
      out.subscribe = f.varint == 1;
    } else if (f.number == 2) {
      auto topic = topic_of(f);
      if (!topic) return topic.error();
      out.topic = std::move(*topic);
    }
  }
  if (r.error()) return r.error();
  return out;
}

Result<Message> decode_message(ByteView in) {
  Message out;
  bool has_topic = false;
  pb::Reader r(in);
  pb::Field f;
  while (r.next(f)) {
    if (f.number >= 1 && f.number <= 6 && f.type != pb::WireType::len) {
      return make_error_code(Error::malformed);
    }
    const Bytes value(f.bytes.begin(), f.bytes.end());
    switch (f.number) {
      case 1:
        out.from = value;
        break;
      case 2:
        out.data = value;
        break;
      case 3:
        out.seqno = value;
        break;
      case 4: {
        auto topic = topic_of(f);
        if (!topic) return topic.error();
        out.topic = std::move(*topic);
        has_topic = true;
        break;
      }
      case 5:
        out.signature = value;
        break;
      case 6:
        out.key = value;
        break;
      default:
        break;
    }
  }
  if (r.error()) return r.error();
  if (!has_topic) return make_error_code(Error::malformed);
  return out;
}

Result<std::vector<Bytes>> decode_ids(ByteView in, std::uint32_t field, Budget& budget,
                                      std::string* topic) {
  std::vector<Bytes> ids;
  pb::Reader r(in);
  pb::Field f;
  while (r.next(f)) {
    if (f.number == field) {
      auto id = id_of(f, budget);
      if (!id) return id.error();
      ids.push_back(std::move(*id));
    } else if (topic != nullptr && f.number == 1) {
      auto t = topic_of(f);
      if (!t) return t.error();
      *topic = std::move(*t);
    }
  }
  if (r.error()) return r.error();
  return ids;
}

Result<Prune> decode_prune(ByteView in) {
  Prune out;
  pb::Reader r(in);
  pb::Field f;
  while (r.next(f)) {
    if (f.number == 1) {
      auto t = topic_of(f);
      if (!t) return t.error();
      out.topic = std::move(*t);
    } else if (f.number == 2) {
      if (f.type != pb::WireType::len) return make_error_code(Error::malformed);
      if (out.peers.size() >= kMaxPrunePeers) return make_error_code(Error::too_large);
      if (f.bytes.size() > kMaxPeerInfoBytes) return make_error_code(Error::too_large);
      PeerInfo info;
      pb::Reader pr(f.bytes);
      pb::Field pf;
      while (pr.next(pf)) {
        if ((pf.number == 1 || pf.number == 2) && pf.type != pb::WireType::len) {
          return make_error_code(Error::malformed);
        }
        if (pf.number == 1) info.peer_id.assign(pf.bytes.begin(), pf.bytes.end());
        if (pf.number == 2) info.signed_peer_record.assign(pf.bytes.begin(), pf.bytes.end());
      }
      if (pr.error()) return pr.error();
      out.peers.push_back(std::move(info));
    } else if (f.number == 3) {
      if (f.type != pb::WireType::varint) return make_error_code(Error::malformed);
      out.backoff_seconds = f.varint;
    }
  }
  if (r.error()) return r.error();
  return out;
}

Result<Control> decode_control(ByteView in, Budget& budget) {
  Control out;
  pb::Reader r(in);
  pb::Field f;
  while (r.next(f)) {
    if (f.number < 1 || f.number > 5) continue;
    if (f.type != pb::WireType::len) return make_error_code(Error::malformed);
    if (++budget.control_entries > kMaxControlEntriesPerRpc) {
      return make_error_code(Error::too_large);
    }
    switch (f.number) {
      case 1: {
        IHave ihave;
        auto ids = decode_ids(f.bytes, 2, budget, &ihave.topic);
        if (!ids) return ids.error();
        ihave.ids = std::move(*ids);
        out.ihave.push_back(std::move(ihave));
        break;
      }
      case 2: {
        auto ids = decode_ids(f.bytes, 1, budget, nullptr);
        if (!ids) return ids.error();
        out.iwant.push_back(IWant{std::move(*ids)});
        break;
      }
      case 3: {
        Graft graft;
        pb::Reader gr(f.bytes);
        pb::Field gf;
        while (gr.next(gf)) {
          if (gf.number != 1) continue;
          auto t = topic_of(gf);
          if (!t) return t.error();
          graft.topic = std::move(*t);
        }
        if (gr.error()) return gr.error();
        out.graft.push_back(std::move(graft));
        break;
      }
      case 4: {
        auto prune = decode_prune(f.bytes);
        if (!prune) return prune.error();
        out.prune.push_back(std::move(*prune));
        break;
      }
      case 5: {
        auto ids = decode_ids(f.bytes, 1, budget, nullptr);
        if (!ids) return ids.error();
        out.idontwant.push_back(IDontWant{std::move(*ids)});
        break;
      }
      default:
        break;
    }
  }
  if (r.error()) return r.error();
  return out;
}

}  // namespace

Bytes encode_message(const Message& m) {
  pb::Writer w;
  encode_optional(w, 1, m.from);
  encode_optional(w, 2, m.data);
  encode_optional(w, 3, m.seqno);
  w.string(4, m.topic);
  encode_optional(w, 5, m.signature);
  encode_optional(w, 6, m.key);
  return std::move(w).take();
}

Bytes encode_rpc(const Rpc& rpc) {
  pb::Writer w;
  for (const auto& sub : rpc.subscriptions) {
    pb::Writer s;
    s.varint(1, sub.subscribe ? 1 : 0);
    s.string(2, sub.topic);
    w.bytes(1, s.data());
  }
  for (const auto& m : rpc.publish) w.bytes(2, encode_message(m));
  if (!rpc.control.empty()) w.bytes(3, encode_control(rpc.control));
  return std::move(w).take();
}

Result<Rpc> decode_rpc(ByteView frame) {
  if (frame.size() > kMaxRpcBytes) return make_error_code(Error::too_large);
  Rpc out;
  Budget budget;
  bool has_control = false;
  pb::Reader r(frame);
  pb::Field f;
  while (r.next(f)) {
    if (f.number < 1 || f.number > 3) continue;
    if (f.type != pb::WireType::len) return make_error_code(Error::malformed);
    if (f.number == 1) {
      if (out.subscriptions.size() >= kMaxSubscriptionsPerRpc) {
        return make_error_code(Error::too_large);
      }
      auto sub = decode_subopts(f.bytes);
      if (!sub) return sub.error();
      out.subscriptions.push_back(std::move(*sub));
    } else if (f.number == 2) {
      if (out.publish.size() >= kMaxMessagesPerRpc) return make_error_code(Error::too_large);
      auto m = decode_message(f.bytes);
      if (!m) return m.error();
      out.publish.push_back(std::move(*m));
    } else {
      // Protobuf merges repeated occurrences of an embedded message; we take one.
      if (has_control) return make_error_code(Error::malformed);
      has_control = true;
      auto c = decode_control(f.bytes, budget);
      if (!c) return c.error();
      out.control = std::move(*c);
    }
  }
  if (r.error()) return r.error();
  return out;
}

}  // namespace ipfsa::proto::gossipsub
