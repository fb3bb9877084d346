// libp2p public keys (peer-ids spec, "Keys" and "How Keys are Encoded and Messages Signed").
#include "crypto/public_key.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <limits>
#include <memory>
#include <optional>

namespace ipfsa::crypto {
namespace {

constexpr std::size_t kEd25519KeySize = 32;
constexpr std::size_t kEd25519SignatureSize = 64;
constexpr std::size_t kSecp256k1CompressedSize = 33;
constexpr std::size_t kSecp256k1UncompressedSize = 65;
// An RSA-16384 signature is 2048 bytes; DER ECDSA signatures are far smaller.
constexpr std::size_t kMaxSignatureSize = kMaxRsaBits / 8;

// PublicKey { KeyType Type = 1; bytes Data = 2; }: the two tags, (field << 3) | wire type. The
// crypto library sits beside wire/ (not above it), so this one tiny message is hand-coded here.
constexpr std::uint8_t kTypeTag = (1 << 3) | 0;  // varint
constexpr std::uint8_t kDataTag = (2 << 3) | 2;  // length-delimited
constexpr std::size_t kMaxProtobufVarintBytes = 10;

void append_varint(Bytes& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

// Protobuf varint (up to 10 bytes, non-minimal forms tolerated as protobuf does). Advances `in`.
Result<std::uint64_t> read_varint(ByteView& in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < in.size() && i < kMaxProtobufVarintBytes; ++i) {
    if (i == kMaxProtobufVarintBytes - 1 && in[i] > 1) return Error::malformed;
    value |= std::uint64_t{in[i] & 0x7fu} << (7 * i);
    if ((in[i] & 0x80) == 0) {
      in = in.subspan(i + 1);
      return value;
    }
  }
  if (in.size() >= kMaxProtobufVarintBytes) return Error::malformed;
  return Error::truncated;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// OpenSSL leaves decode failures on its thread-local error queue; drop them so they never
// surface later as someone else's error.
Error invalid_key() {
  ERR_clear_error();
  return Error::invalid_key;
}

bool public_check(EVP_PKEY* pkey) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

Result<Pkey> load_ed25519(ByteView data) {
  if (data.size() != kEd25519KeySize) return Error::invalid_key;
  Pkey pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, data.data(), data.size()));
  if (!pkey) return invalid_key();
  return pkey;
}

// peer-ids spec, "Secp256k1": the Bitcoin encoding, a compressed SEC1 point (go-libp2p also
// accepts the 65-byte uncompressed form, so we do too). Built through OSSL_PARAM because OpenSSL 3
// has no non-deprecated constructor from a bare point; the import rejects points off the curve.
Result<Pkey> load_secp256k1(ByteView data) {
  const bool compressed =
      data.size() == kSecp256k1CompressedSize && (data[0] == 0x02 || data[0] == 0x03);
  const bool uncompressed = data.size() == kSecp256k1UncompressedSize && data[0] == 0x04;
  if (!compressed && !uncompressed) return Error::invalid_key;
  char group[] = "secp256k1";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<std::uint8_t*>(data.data()), data.size()),
      OSSL_PARAM_construct_end(),
  };
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return invalid_key();
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) return invalid_key();
  Pkey pkey(raw);
  if (!public_check(pkey.get())) return invalid_key();
  return pkey;
}

// DER SubjectPublicKeyInfo, consumed exactly.
Result<Pkey> load_spki(ByteView data) {
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<long>::max())) {
    return Error::invalid_key;
  }
  const unsigned char* p = data.data();
  Pkey pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(data.size())));
  if (!pkey || p != data.data() + data.size()) return invalid_key();
  return pkey;
}

// peer-ids spec, "ECDSA": we accept the NIST curves go-libp2p generates (P-256, P-384, P-521).
Result<Pkey> load_ecdsa(ByteView data) {
  auto pkey = load_spki(data);
  if (!pkey) return pkey.error();
  if (!EVP_PKEY_is_a(pkey->get(), "EC")) return invalid_key();
  char name[64] = {};
  std::size_t name_len = 0;
  if (EVP_PKEY_get_group_name(pkey->get(), name, sizeof name, &name_len) != 1) {
    return invalid_key();
  }
  const int nid = OBJ_txt2nid(name);
  if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1 && nid != NID_secp521r1) {
    return invalid_key();
  }
  if (!public_check(pkey->get())) return invalid_key();
  return pkey;
}

// peer-ids spec, "RSA": PKIX DER. RSA-PSS-only keys are not libp2p keys.
Result<Pkey> load_rsa(ByteView data) {
  auto pkey = load_spki(data);
  if (!pkey) return pkey.error();
  if (!EVP_PKEY_is_a(pkey->get(), "RSA")) return invalid_key();
  const int bits = EVP_PKEY_get_bits(pkey->get());
  if (bits < static_cast<int>(kMinRsaBits) || bits > static_cast<int>(kMaxRsaBits)) {
    return invalid_key();
  }
  return pkey;
}

Result<Pkey> load(const PublicKey& key) {
  if (key.data.size() > kMaxEncodedPublicKeySize) return Error::invalid_key;
  switch (key.type) {
    case KeyType::rsa:
      return load_rsa(key.data);
    case KeyType::ed25519:
      return load_ed25519(key.data);
    case KeyType::secp256k1:
      return load_secp256k1(key.data);
    case KeyType::ecdsa:
      return load_ecdsa(key.data);
  }
  return Error::unsupported;
}

}  // namespace

Bytes encode_public_key(const PublicKey& key) {
  // peer-ids spec, "Note about deterministic encoding": fields in field-number order, Type always
  // written (even RSA = 0), nothing else.
  Bytes out;
  out.reserve(key.data.size() + 2 * kMaxProtobufVarintBytes);
  out.push_back(kTypeTag);
  append_varint(out, static_cast<std::uint64_t>(key.type));
  out.push_back(kDataTag);
  append_varint(out, key.data.size());
  out.insert(out.end(), key.data.begin(), key.data.end());
  return out;
}

Result<PublicKey> decode_public_key(ByteView encoded) {
  if (encoded.size() > kMaxEncodedPublicKeySize) return Error::too_large;
  std::optional<std::uint64_t> type;
  std::optional<ByteView> data;
  ByteView in = encoded;
  while (!in.empty()) {
    auto tag = read_varint(in);
    if (!tag) return tag.error();
    if (*tag == kTypeTag) {
      if (type) return Error::malformed;  // duplicate field: ambiguous peer ID
      auto v = read_varint(in);
      if (!v) return v.error();
      type = *v;
    } else if (*tag == kDataTag) {
      if (data) return Error::malformed;
      auto len = read_varint(in);
      if (!len) return len.error();
      if (*len > in.size()) return Error::truncated;
      data = in.first(static_cast<std::size_t>(*len));
      in = in.subspan(static_cast<std::size_t>(*len));
    } else {
      // The spec forbids extending PublicKey (and a field of the wrong wire type is not a
      // PublicKey): refuse rather than skip, since skipping makes the peer ID ambiguous.
      return Error::malformed;
    }
  }
  // Both fields are required (proto2); a message missing one ended too early.
  if (!type || !data) return Error::truncated;
  if (*type > static_cast<std::uint64_t>(KeyType::ecdsa)) return Error::unsupported;
  PublicKey key{static_cast<KeyType>(*type), Bytes(data->begin(), data->end())};
  auto pkey = load(key);
  if (!pkey) return pkey.error();
  return key;
}

Result<void> verify(const PublicKey& key, ByteView message, ByteView signature) {
  if (key.type == KeyType::ed25519) {
    // libsodium verifies from the raw key, without OpenSSL's per-call key import (twice as fast
    // here: it is on every Noise handshake). It also rejects small-order keys and non-canonical
    // signatures, which honest signers never produce.
    static const bool ready = sodium_init() >= 0;
    if (!ready) return Error::crypto_failure;
    if (key.data.size() != kEd25519KeySize) return Error::invalid_key;
    if (signature.size() != kEd25519SignatureSize) return Error::invalid_signature;
    if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                    key.data.data()) != 0) {
      // Tell an unusable key from a bad signature, as for the other types (failure path only).
      if (!load(key)) return Error::invalid_key;
      return Error::invalid_signature;
    }
    return {};
  }
  auto pkey = load(key);
  if (!pkey) return pkey.error();
  if (signature.size() > kMaxSignatureSize) return Error::invalid_signature;
  // Ed25519 signs the message itself (RFC 8032, no pre-hash); every other type signs SHA-256 of
  // it (peer-ids spec).
  const EVP_MD* md = nullptr;
  if (key.type == KeyType::ed25519) {
    if (signature.size() != kEd25519SignatureSize) return Error::invalid_signature;
  } else {
    md = EVP_sha256();
  }
  MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey->get()) != 1) {
    ERR_clear_error();
    return Error::crypto_failure;
  }
  if (key.type == KeyType::rsa && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    ERR_clear_error();
    return Error::crypto_failure;
  }
  static const std::uint8_t kEmpty = 0;  // OpenSSL wants a non-null pointer even for 0 bytes
  const std::uint8_t* msg = message.empty() ? &kEmpty : message.data();
  const std::uint8_t* sig = signature.empty() ? &kEmpty : signature.data();
  const int rc = EVP_DigestVerify(ctx.get(), sig, signature.size(), msg, message.size());
  if (rc != 1) {
    ERR_clear_error();
    return Error::invalid_signature;
  }
  return {};
}

}  // namespace ipfsa::crypto
