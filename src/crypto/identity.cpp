#include "crypto/identity.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "crypto/random.hpp"

namespace ipfsa::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kKeyTypeEd25519 = 1;  // peer-ids spec, enum KeyType
constexpr std::size_t kEd25519DataSize = 64;  // seed || public
constexpr std::size_t kLegacyDataSize = 96;   // go-libp2p legacy: seed || public || public
constexpr std::size_t kMaxProtobufVarint = 10;
constexpr mode_t kFileMode = 0600;
constexpr mode_t kDirMode = 0700;

void set_error(IdentityReport* report, std::string text) {
  if (report != nullptr) report->error = std::move(text);
}

std::string errno_text(int err) { return std::strerror(err); }

// A protobuf varint (up to 10 bytes). Errors: truncated, malformed.
Result<std::uint64_t> read_varint(ByteView& in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < kMaxProtobufVarint; ++i) {
    if (i >= in.size()) return Error::truncated;
    const std::uint8_t b = in[i];
    value |= std::uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      in = in.subspan(i + 1);
      return value;
    }
  }
  return Error::malformed;
}

class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const noexcept { return fd_; }
  // Closes now so that a failing close (a lost write) is seen.
  bool close() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

bool write_all(int fd, ByteView data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

bool fsync_dir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return fd.get() >= 0 && ::fsync(fd.get()) == 0;
}

// Creates `dir` (parents with default permissions, the leaf with 0700) if it is missing.
Result<void> ensure_dir(const fs::path& dir, IdentityReport* report) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), kDirMode) != 0 && errno != EEXIST) {
    set_error(report, "cannot create state directory " + dir.string() + ": " + errno_text(errno));
    return Error::io_failure;
  }
  if (!fs::is_directory(dir, ec)) {
    set_error(report, "state directory " + dir.string() + " is not a directory");
    return Error::io_failure;
  }
  return {};
}

enum class ReadOutcome { loaded, missing };

// Reads the key file into `out`. Tightens loose permissions (with a warning in `report`).
Result<ReadOutcome> read_key_file(const fs::path& path, SecretBytes& out, IdentityReport* report) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return ReadOutcome::missing;
    set_error(report, "cannot open " + path.string() + ": " + errno_text(errno));
    return Error::io_failure;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    set_error(report, path.string() + " is not a regular file");
    return Error::io_failure;
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxIdentityFileSize) {
    set_error(report, path.string() + " is " + std::to_string(st.st_size) +
                          " bytes, larger than any identity key (limit " +
                          std::to_string(kMaxIdentityFileSize) + "); not replacing it");
    return Error::too_large;
  }
  if ((st.st_mode & 077) != 0) {
    if (::fchmod(fd.get(), kFileMode) != 0) {
      set_error(report, path.string() + " is accessible by group/others and chmod 0600 failed: " +
                            errno_text(errno));
      return Error::io_failure;
    }
    if (report != nullptr) {
      report->warning =
          path.string() + " was accessible by group/others; permissions reset to 0600";
    }
  }
  // Read one byte more than the limit so that a file that grew since fstat is still bounded.
  SecretBytes buf(kMaxIdentityFileSize + 1);
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd.get(), buf.mutable_view().data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      set_error(report, "cannot read " + path.string() + ": " + errno_text(errno));
      return Error::io_failure;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > kMaxIdentityFileSize) {
    set_error(report, path.string() + " is larger than any identity key; not replacing it");
    return Error::too_large;
  }
  out = SecretBytes(buf.view().first(got));
  return ReadOutcome::loaded;
}

// Writes a new key file atomically. Returns false on EEXIST from a concurrent creator (the
// caller then loads that file instead).
Result<bool> write_key_file(const fs::path& dir, const fs::path& path, ByteView contents,
                            IdentityReport* report) {
  const fs::path tmp = dir / (std::string(kIdentityFileName) + ".tmp." +
                              std::to_string(::getpid()) + "." + hex_encode(random_bytes(4)));
  auto fail = [&](const char* step) -> Result<bool> {
    set_error(report, std::string("cannot write identity key (") + step + ") in " + dir.string() +
                          ": " + errno_text(errno));
    ::unlink(tmp.c_str());
    return Error::io_failure;
  };
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kFileMode));
    if (fd.get() < 0) return fail("create");
    // The umask can only remove bits; make the mode exactly 0600.
    if (::fchmod(fd.get(), kFileMode) != 0) return fail("chmod");
    if (!write_all(fd.get(), contents)) return fail("write");
    if (::fsync(fd.get()) != 0) return fail("fsync");
    if (!fd.close()) return fail("close");
  }
  // link() refuses to replace an existing file, unlike rename(): a key that appeared meanwhile
  // is never overwritten. Filesystems without hard links fall back to rename().
  if (::link(tmp.c_str(), path.c_str()) == 0) {
    ::unlink(tmp.c_str());
  } else if (errno == EEXIST) {
    ::unlink(tmp.c_str());
    return false;
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail("rename");
  }
  if (!fsync_dir(dir)) return fail("fsync directory");
  return true;
}

std::optional<fs::path> env_path(const EnvLookup& env, std::string_view name) {
  auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return fs::path(*v);
}

}  // namespace

Result<fs::path> state_dir_from_env(const EnvLookup& env) {
  if (auto home = env_path(env, "IPFS_ACCELERATE_HOME")) return *home;
  // XDG Base Directory spec: a relative path in $XDG_DATA_HOME is invalid and ignored.
  if (auto xdg = env_path(env, "XDG_DATA_HOME"); xdg && xdg->is_absolute()) {
    return *xdg / "ipfs-accelerate";
  }
  if (auto home = env_path(env, "HOME")) return *home / ".local" / "share" / "ipfs-accelerate";
  return Error::not_found;
}

SecretBytes encode_private_key(const Ed25519KeyPair& key) {
  // Field 1 (varint) = 1, field 2 (length-delimited) = 64 bytes.
  SecretBytes out(4 + kEd25519DataSize);
  auto o = out.mutable_view();
  o[0] = 0x08;
  o[1] = static_cast<std::uint8_t>(kKeyTypeEd25519);
  o[2] = 0x12;
  o[3] = static_cast<std::uint8_t>(kEd25519DataSize);
  std::memcpy(o.data() + 4, key.seed().view().data(), 32);
  std::memcpy(o.data() + 36, key.public_bytes().data(), 32);
  return out;
}

Result<Ed25519KeyPair> decode_private_key(ByteView in) {
  if (in.size() > kMaxIdentityFileSize) return Error::too_large;
  std::optional<std::uint64_t> type;
  std::optional<ByteView> data;
  while (!in.empty()) {
    auto tag = read_varint(in);
    if (!tag) return tag.error();
    const std::uint64_t field = *tag >> 3;
    const std::uint64_t wire_type = *tag & 7;
    if (field == 0) return Error::malformed;
    if (wire_type == 0) {
      auto v = read_varint(in);
      if (!v) return v.error();
      if (field == 1) {
        if (type) return Error::malformed;  // duplicate: never written by libp2p
        type = *v;
      }
    } else if (wire_type == 2) {
      auto len = read_varint(in);
      if (!len) return len.error();
      if (*len > in.size()) return Error::truncated;
      const ByteView value = in.first(static_cast<std::size_t>(*len));
      in = in.subspan(static_cast<std::size_t>(*len));
      if (field == 2) {
        if (data) return Error::malformed;
        data = value;
      }
    } else {
      return Error::malformed;
    }
    if ((field == 1 && wire_type != 0) || (field == 2 && wire_type != 2)) return Error::malformed;
  }
  if (!type || !data) return Error::truncated;  // required fields missing
  if (*type != kKeyTypeEd25519) return Error::unsupported;
  if (data->size() != kEd25519DataSize && data->size() != kLegacyDataSize) {
    return Error::invalid_key;
  }
  auto pair = Ed25519KeyPair::from_seed(data->first(32));
  if (!pair) return pair.error();
  // The stored public key(s) must be the one the seed derives: otherwise the file is corrupt
  // and would announce a peer ID we cannot sign for.
  for (std::size_t off = 32; off < data->size(); off += 32) {
    if (std::memcmp(data->data() + off, pair->public_bytes().data(), 32) != 0) {
      return Error::invalid_key;
    }
  }
  return pair;
}

Result<Ed25519KeyPair> load_or_create_identity(const fs::path& dir, IdentityReport* report) {
  if (auto ok = ensure_dir(dir, report); !ok) return ok.error();
  const fs::path path = dir / kIdentityFileName;
  // Two rounds at most: if a concurrent creator wins the link() race, load its file.
  for (int round = 0; round < 2; ++round) {
    SecretBytes contents;
    auto outcome = read_key_file(path, contents, report);
    if (!outcome) return outcome.error();
    if (*outcome == ReadOutcome::loaded) {
      auto key = decode_private_key(contents.view());
      if (!key) {
        set_error(report, path.string() + " is not a valid Ed25519 libp2p private key (" +
                              key.error().message() +
                              "). It is NOT replaced automatically because that would change "
                              "this node's peer ID; restore it from a backup, or move it away to "
                              "create a new identity.");
      }
      return key;
    }
    Ed25519KeyPair key = Ed25519KeyPair::generate();
    auto written = write_key_file(dir, path, encode_private_key(key).view(), report);
    if (!written) return written.error();
    if (*written) {
      if (report != nullptr) report->created = true;
      return key;
    }
  }
  set_error(report, "identity key " + path.string() + " kept changing while being created");
  return Error::io_failure;
}

}  // namespace ipfsa::crypto
