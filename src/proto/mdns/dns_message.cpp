// RFC 1035 4.1 (message format), 4.1.4 (compression); RFC 6762 18.12 and 18.13 (the top bit of
// the class: unicast-response in questions, cache-flush in records); RFC 6763 6 (TXT strings).
#include "proto/mdns/dns_message.hpp"

#include <algorithm>

#include "base/ascii.hpp"

namespace ipfsa::proto::mdns {
namespace {

constexpr std::uint16_t kClassTopBit = 0x8000;
constexpr std::size_t kMaxCharacterString = 255;
constexpr std::size_t kMinQuestionBytes = 5;  // root name + type + class
constexpr std::size_t kMinRecordBytes = 11;   // root name + type + class + ttl + rdlength

class Reader {
 public:
  explicit Reader(ByteView packet) : packet_(packet) {}

  std::size_t pos() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return packet_.size() - pos_; }

  Result<std::uint16_t> u16() {
    if (remaining() < 2) return Error::truncated;
    auto v = load_be16(packet_.data() + pos_);
    pos_ += 2;
    return v;
  }
  Result<std::uint32_t> u32() {
    if (remaining() < 4) return Error::truncated;
    auto v = load_be32(packet_.data() + pos_);
    pos_ += 4;
    return v;
  }
  Result<ByteView> take(std::size_t n) {
    if (remaining() < n) return Error::truncated;
    auto v = packet_.subspan(pos_, n);
    pos_ += n;
    return v;
  }

  // RFC 1035 4.1.4: a sequence of labels ending in a zero byte or a pointer to a prior
  // occurrence. Each pointer must point before the start of the run of labels that contains it,
  // so every jump moves strictly backwards and the walk terminates.
  Result<std::string> name() {
    std::string out;
    std::size_t wire_length = 1;  // the terminating zero
    std::size_t cursor = pos_;
    std::size_t run_start = pos_;
    std::size_t jumps = 0;
    bool jumped = false;
    while (true) {
      if (cursor >= packet_.size()) return Error::truncated;
      const std::uint8_t length = packet_[cursor];
      if ((length & 0xC0) == 0xC0) {
        if (cursor + 1 >= packet_.size()) return Error::truncated;
        const std::size_t target = (std::size_t{length & 0x3Fu} << 8) | packet_[cursor + 1];
        if (!jumped) pos_ = cursor + 2;
        jumped = true;
        if (target >= run_start || ++jumps > kMaxCompressionJumps) return Error::malformed;
        cursor = target;
        run_start = target;
        continue;
      }
      if ((length & 0xC0) != 0) return Error::malformed;  // 0x40 / 0x80: reserved label types
      if (length == 0) {
        if (!jumped) pos_ = cursor + 1;
        return out;
      }
      wire_length += std::size_t{length} + 1;
      if (wire_length > kMaxNameLength) return Error::too_large;
      if (packet_.size() - cursor - 1 < length) return Error::truncated;
      auto label = packet_.subspan(cursor + 1, length);
      if (std::find(label.begin(), label.end(), '.') != label.end()) return Error::malformed;
      if (!out.empty()) out.push_back('.');
      out.append(label.begin(), label.end());
      cursor += std::size_t{length} + 1;
    }
  }

 private:
  ByteView packet_;
  std::size_t pos_ = 0;
};

Result<Question> read_question(Reader& r) {
  Question q;
  auto name = r.name();
  if (!name) return name.error();
  q.name = std::move(*name);
  auto t = r.u16();
  if (!t) return t.error();
  auto c = r.u16();
  if (!c) return c.error();
  q.type = *t;
  q.qclass = static_cast<std::uint16_t>(*c & ~kClassTopBit);
  q.unicast_response = (*c & kClassTopBit) != 0;
  return q;
}

Result<RecordData> read_rdata(Reader& r, std::uint16_t rtype, std::size_t rdlength) {
  const std::size_t end = r.pos() + rdlength;
  auto exact = [&](RecordData data) -> Result<RecordData> {
    if (r.pos() != end) return Error::malformed;
    return data;
  };
  switch (rtype) {
    case type::kA:
    case type::kAaaa: {
      const std::size_t size = rtype == type::kA ? 4 : 16;
      if (rdlength != size) return Error::malformed;
      auto bytes = r.take(size);
      if (!bytes) return bytes.error();
      if (rtype == type::kA) {
        AData a;
        std::copy(bytes->begin(), bytes->end(), a.address.begin());
        return RecordData{a};
      }
      AaaaData a;
      std::copy(bytes->begin(), bytes->end(), a.address.begin());
      return RecordData{a};
    }
    case type::kPtr: {
      auto target = r.name();
      if (!target) return target.error();
      return exact(PtrData{std::move(*target)});
    }
    case type::kSrv: {
      SrvData srv;
      auto priority = r.u16();
      if (!priority) return priority.error();
      auto weight = r.u16();
      if (!weight) return weight.error();
      auto port = r.u16();
      if (!port) return port.error();
      auto target = r.name();
      if (!target) return target.error();
      srv.priority = *priority;
      srv.weight = *weight;
      srv.port = *port;
      srv.target = std::move(*target);
      return exact(std::move(srv));
    }
    case type::kTxt: {
      TxtData txt;
      while (r.pos() < end) {
        if (txt.strings.size() == kMaxTxtStrings) return Error::too_large;
        auto length = r.take(1);
        if (!length) return length.error();
        if ((*length)[0] > end - r.pos()) return Error::malformed;  // string overruns RDATA
        auto text = r.take((*length)[0]);
        if (!text) return text.error();
        txt.strings.emplace_back(text->begin(), text->end());
      }
      return exact(std::move(txt));
    }
    default: {
      auto raw = r.take(rdlength);
      if (!raw) return raw.error();
      return RecordData{RawData{Bytes(raw->begin(), raw->end())}};
    }
  }
}

Result<Record> read_record(Reader& r) {
  Record rec;
  auto name = r.name();
  if (!name) return name.error();
  rec.name = std::move(*name);
  auto t = r.u16();
  if (!t) return t.error();
  auto c = r.u16();
  if (!c) return c.error();
  auto ttl = r.u32();
  if (!ttl) return ttl.error();
  auto rdlength = r.u16();
  if (!rdlength) return rdlength.error();
  if (*rdlength > r.remaining()) return Error::truncated;
  rec.type = *t;
  rec.rclass = static_cast<std::uint16_t>(*c & ~kClassTopBit);
  rec.cache_flush = (*c & kClassTopBit) != 0;
  rec.ttl = *ttl;
  auto data = read_rdata(r, rec.type, *rdlength);
  if (!data) return data.error();
  rec.data = std::move(*data);
  return rec;
}

Result<void> read_records(Reader& r, std::size_t count, std::vector<Record>& out) {
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto rec = read_record(r);
    if (!rec) return rec.error();
    out.push_back(std::move(*rec));
  }
  return {};
}

void put16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}

Result<void> write_name(Bytes& out, std::string_view name) {
  std::size_t wire_length = 1;
  while (!name.empty()) {
    const auto dot = name.find('.');
    const auto label = name.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabelLength) return Error::malformed;
    wire_length += label.size() + 1;
    if (wire_length > kMaxNameLength) return Error::too_large;
    out.push_back(static_cast<std::uint8_t>(label.size()));
    append(out, as_bytes(label));
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
    if (name.empty()) return Error::malformed;  // a trailing dot: an empty last label
  }
  out.push_back(0);
  return {};
}

std::uint16_t type_of(const RecordData& data, std::uint16_t declared) {
  struct Visitor {
    std::uint16_t declared;
    std::uint16_t operator()(const PtrData&) const { return type::kPtr; }
    std::uint16_t operator()(const TxtData&) const { return type::kTxt; }
    std::uint16_t operator()(const SrvData&) const { return type::kSrv; }
    std::uint16_t operator()(const AData&) const { return type::kA; }
    std::uint16_t operator()(const AaaaData&) const { return type::kAaaa; }
    std::uint16_t operator()(const RawData&) const { return declared; }
  };
  return std::visit(Visitor{declared}, data);
}

bool is_typed(std::uint16_t t) {
  return t == type::kA || t == type::kPtr || t == type::kTxt || t == type::kAaaa || t == type::kSrv;
}

Result<void> write_rdata(Bytes& out, const RecordData& data) {
  if (auto* ptr = std::get_if<PtrData>(&data)) return write_name(out, ptr->target);
  if (auto* srv = std::get_if<SrvData>(&data)) {
    put16(out, srv->priority);
    put16(out, srv->weight);
    put16(out, srv->port);
    return write_name(out, srv->target);
  }
  if (auto* txt = std::get_if<TxtData>(&data)) {
    if (txt->strings.size() > kMaxTxtStrings) return Error::too_large;
    for (const auto& s : txt->strings) {
      if (s.size() > kMaxCharacterString) return Error::malformed;
      out.push_back(static_cast<std::uint8_t>(s.size()));
      append(out, s);
    }
    return {};
  }
  if (auto* a = std::get_if<AData>(&data)) {
    append(out, a->address);
    return {};
  }
  if (auto* a = std::get_if<AaaaData>(&data)) {
    append(out, a->address);
    return {};
  }
  const auto& raw = std::get<RawData>(data).rdata;
  if (raw.size() > kMaxMdnsPacketBytes) return Error::too_large;
  append(out, raw);
  return {};
}

Result<void> write_record(Bytes& out, const Record& rec) {
  if (type_of(rec.data, rec.type) != rec.type) return Error::malformed;
  if (std::holds_alternative<RawData>(rec.data) && is_typed(rec.type)) return Error::malformed;
  if (auto ok = write_name(out, rec.name); !ok) return ok;
  put16(out, rec.type);
  put16(out, static_cast<std::uint16_t>((rec.rclass & ~kClassTopBit) |
                                        (rec.cache_flush ? kClassTopBit : 0)));
  put32(out, rec.ttl);
  const std::size_t length_at = out.size();
  put16(out, 0);
  if (auto ok = write_rdata(out, rec.data); !ok) return ok;
  const std::size_t rdlength = out.size() - length_at - 2;
  if (rdlength > 0xFFFF) return Error::too_large;
  store_be16(out.data() + length_at, static_cast<std::uint16_t>(rdlength));
  return {};
}

}  // namespace

Result<Message> decode(ByteView packet) {
  if (packet.size() > kMaxMdnsPacketBytes) return Error::too_large;
  Reader r(packet);
  Message m;
  auto id = r.u16();
  if (!id) return id.error();
  auto flags = r.u16();
  if (!flags) return flags.error();
  std::array<std::size_t, 4> counts{};
  for (auto& count : counts) {
    auto c = r.u16();
    if (!c) return c.error();
    count = *c;
  }
  if (counts[0] + counts[1] + counts[2] + counts[3] > kMaxRecords) return Error::too_large;
  // Counts that cannot fit in what is left: the packet is cut short (checked before reserving).
  if (counts[0] * kMinQuestionBytes + (counts[1] + counts[2] + counts[3]) * kMinRecordBytes >
      r.remaining())
    return Error::truncated;
  m.id = *id;
  m.flags = *flags;
  m.questions.reserve(counts[0]);
  for (std::size_t i = 0; i < counts[0]; ++i) {
    auto q = read_question(r);
    if (!q) return q.error();
    m.questions.push_back(std::move(*q));
  }
  if (auto ok = read_records(r, counts[1], m.answers); !ok) return ok.error();
  if (auto ok = read_records(r, counts[2], m.authorities); !ok) return ok.error();
  if (auto ok = read_records(r, counts[3], m.additionals); !ok) return ok.error();
  if (r.remaining() != 0) return Error::malformed;
  return m;
}

Result<Bytes> encode(const Message& m) {
  const std::size_t total =
      m.questions.size() + m.answers.size() + m.authorities.size() + m.additionals.size();
  if (total > kMaxRecords) return Error::too_large;
  Bytes out;
  out.reserve(512);
  put16(out, m.id);
  put16(out, m.flags);
  put16(out, static_cast<std::uint16_t>(m.questions.size()));
  put16(out, static_cast<std::uint16_t>(m.answers.size()));
  put16(out, static_cast<std::uint16_t>(m.authorities.size()));
  put16(out, static_cast<std::uint16_t>(m.additionals.size()));
  for (const auto& q : m.questions) {
    if (auto ok = write_name(out, q.name); !ok) return ok.error();
    put16(out, q.type);
    put16(out, static_cast<std::uint16_t>((q.qclass & ~kClassTopBit) |
                                          (q.unicast_response ? kClassTopBit : 0)));
  }
  for (const auto* section : {&m.answers, &m.authorities, &m.additionals}) {
    for (const auto& rec : *section) {
      if (auto ok = write_record(out, rec); !ok) return ok.error();
      if (out.size() > kMaxMdnsPacketBytes) return Error::too_large;
    }
  }
  if (out.size() > kMaxMdnsPacketBytes) return Error::too_large;
  return out;
}

bool names_equal(std::string_view a, std::string_view b) noexcept {
  return ascii_iequals(a, b);
}

}  // namespace ipfsa::proto::mdns
