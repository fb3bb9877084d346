// The node's long-lived identity: one Ed25519 key stored in `<state dir>/identity.key`.
//
// File format (same as go-libp2p and js-libp2p store private keys): the libp2p PrivateKey protobuf
//   message PrivateKey { required KeyType Type = 1; required bytes Data = 2; }
// with Type = 1 (Ed25519) and Data = seed (32) || public key (32). A 96-byte Data (go-libp2p's
// legacy seed || public || public) is also read. Written as 08 01 12 40 <64 bytes>.
//
// Policy (see docs/wire/identity.md):
//  - created once, mode 0600, in a directory created with mode 0700, written atomically
//    (temporary file, fsync, link/rename into place, fsync of the directory);
//  - a file that cannot be read as a valid key is an error and is NEVER replaced: that would
//    silently change the node's peer ID. The caller reports IdentityReport::message and stops;
//  - a key file readable or writable by group/others is tightened to 0600 and loaded; the
//    report carries a warning the caller should log.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/env.hpp"
#include "base/error.hpp"
#include "base/secret.hpp"
#include "crypto/ed25519.hpp"

namespace ipfsa::crypto {

inline constexpr std::string_view kIdentityFileName = "identity.key";
// An Ed25519 PrivateKey is 68 (or 100) bytes; anything above this is not ours: too_large.
inline constexpr std::size_t kMaxIdentityFileSize = 4096;

// Human-readable outcome for the caller to log. Never contains key material.
struct IdentityReport {
  bool created = false;  // a new identity was generated and stored
  std::string warning;   // non-empty: loaded, but something was fixed (e.g. permissions)
  std::string error;     // non-empty when the call failed: what is wrong and what to do
};

// $IPFS_ACCELERATE_HOME, else $XDG_DATA_HOME/ipfs-accelerate (only if absolute, per the XDG
// spec), else $HOME/.local/share/ipfs-accelerate. Empty variables count as unset.
// Errors: not_found (none of the three is usable).
Result<std::filesystem::path> state_dir_from_env(const EnvLookup& env);

// Loads `dir/identity.key`, or creates it (and `dir`) when it does not exist.
// Errors: io_failure (filesystem), too_large, truncated / malformed (not a PrivateKey
// protobuf), unsupported (a key type other than Ed25519), invalid_key (wrong Data size, or the
// stored public key does not match the seed). `report`, when given, says what happened.
Result<Ed25519KeyPair> load_or_create_identity(const std::filesystem::path& dir,
                                               IdentityReport* report = nullptr);

// The PrivateKey protobuf codec used for the file (exposed for tests and the fuzzer).
SecretBytes encode_private_key(const Ed25519KeyPair& key);
Result<Ed25519KeyPair> decode_private_key(ByteView encoded);

}  // namespace ipfsa::crypto
