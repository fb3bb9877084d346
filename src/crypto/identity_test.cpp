#include "crypto/identity.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <map>

namespace ipfsa::crypto {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ipfsa-identity-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

void write_file(const fs::path& p, ByteView data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

Bytes read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

// RFC 8032 TEST 1 key in the libp2p PrivateKey encoding.
constexpr const char* kSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr const char* kPublic = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

Bytes encoded_vector() { return hex_decode(std::string("08011240") + kSeed + kPublic).value(); }

TEST(Identity, CodecMatchesLibp2pEncoding) {
  auto key = Ed25519KeyPair::from_seed(hex_decode(kSeed).value()).value();
  EXPECT_EQ(hex_encode(encode_private_key(key).view()), hex_encode(encoded_vector()));
  auto back = decode_private_key(encoded_vector());
  ASSERT_TRUE(back);
  EXPECT_EQ(hex_encode(back->public_bytes()), kPublic);
  // Field order does not matter, and go-libp2p's legacy 96-byte form is accepted.
  auto swapped = hex_decode(std::string("1240") + kSeed + kPublic + "0801").value();
  EXPECT_TRUE(decode_private_key(swapped));
  auto legacy = hex_decode(std::string("08011260") + kSeed + kPublic + kPublic).value();
  EXPECT_TRUE(decode_private_key(legacy));
}

TEST(Identity, DecodeRejectsEveryTruncatedPrefix) {
  const Bytes full = encoded_vector();
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto r = decode_private_key(ByteView(full).first(n));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error(), Error::truncated) << n;
  }
}

TEST(Identity, DecodeRejectsMalformedAndWrongKeys) {
  auto e = [](std::string hex) { return decode_private_key(hex_decode(hex).value()).error(); };
  const std::string body = std::string(kSeed) + kPublic;
  EXPECT_EQ(e("08021240" + body), Error::unsupported);  // secp256k1
  EXPECT_EQ(e("08001240" + body), Error::unsupported);  // RSA
  EXPECT_EQ(e("0801"
              "1220" +
              std::string(kSeed)),
            Error::invalid_key);  // 32-byte Data
  std::string wrong_pub = body;
  wrong_pub.back() = wrong_pub.back() == '0' ? '1' : '0';
  EXPECT_EQ(e("08011240" + wrong_pub), Error::invalid_key);
  EXPECT_EQ(e("08011260" + body + std::string(64, '0')), Error::invalid_key);  // legacy mismatch
  EXPECT_EQ(e("08010801"
              "1240" +
              body),
            Error::malformed);  // duplicate Type
  EXPECT_EQ(e("0a00"
              "1240" +
              body),
            Error::malformed);  // Type as bytes
  EXPECT_EQ(e("0d00000000"
              "1240" +
              body),
            Error::malformed);  // fixed32 wire type
  EXPECT_EQ(e("0001"
              "1240" +
              body),
            Error::malformed);  // field 0
  EXPECT_EQ(e("08ffffffffffffffffffff01"
              "1240" +
              body),
            Error::malformed);  // 11-byte varint
  EXPECT_EQ(decode_private_key(Bytes(kMaxIdentityFileSize + 1, 0)).error(), Error::too_large);
}

TEST(Identity, CreatesOnceWithPrivatePermissionsAndReloadsStably) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "state" / "ipfs-accelerate";
  IdentityReport report;
  auto first = load_or_create_identity(dir, &report);
  ASSERT_TRUE(first) << report.error;
  EXPECT_TRUE(report.created);
  EXPECT_TRUE(report.warning.empty());
  const fs::path file = dir / kIdentityFileName;
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(read_file(file).size(), 68u);
  EXPECT_EQ(hex_encode(read_file(file)), hex_encode(encode_private_key(*first).view()));
  // No temporary files left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);

  for (int i = 0; i < 3; ++i) {
    IdentityReport again;
    auto reloaded = load_or_create_identity(dir, &again);
    ASSERT_TRUE(reloaded) << again.error;
    EXPECT_FALSE(again.created);
    EXPECT_EQ(reloaded->public_bytes(), first->public_bytes());
  }
}

TEST(Identity, LoadsAKeyWrittenByGoOrJs) {
  TempDir tmp;
  write_file(tmp.path() / kIdentityFileName, encoded_vector());
  ::chmod((tmp.path() / kIdentityFileName).c_str(), 0600);
  auto key = load_or_create_identity(tmp.path());
  ASSERT_TRUE(key);
  EXPECT_EQ(hex_encode(key->public_bytes()), kPublic);
}

TEST(Identity, LoosePermissionsAreTightenedWithAWarning) {
  TempDir tmp;
  const fs::path file = tmp.path() / kIdentityFileName;
  write_file(file, encoded_vector());
  ::chmod(file.c_str(), 0644);
  IdentityReport report;
  auto key = load_or_create_identity(tmp.path(), &report);
  ASSERT_TRUE(key);
  EXPECT_NE(report.warning.find("0600"), std::string::npos);
  EXPECT_EQ(mode_of(file), 0600u);
}

TEST(Identity, CorruptFilesAreErrorsAndNeverReplaced) {
  const Bytes full = encoded_vector();
  std::vector<std::pair<Bytes, Error>> cases = {
      {Bytes{}, Error::truncated},
      {Bytes(full.begin(), full.begin() + 40), Error::truncated},
      {hex_decode(std::string("08021240") + kSeed + kPublic).value(), Error::unsupported},
      {to_bytes("-----BEGIN PRIVATE KEY-----\n"), Error::malformed},
      {Bytes(kMaxIdentityFileSize + 1, 0x08), Error::too_large},
  };
  for (const auto& [contents, expected] : cases) {
    TempDir tmp;
    const fs::path file = tmp.path() / kIdentityFileName;
    write_file(file, contents);
    IdentityReport report;
    auto key = load_or_create_identity(tmp.path(), &report);
    ASSERT_FALSE(key) << contents.size();
    EXPECT_EQ(key.error(), expected) << contents.size();
    EXPECT_FALSE(report.error.empty());
    EXPECT_NE(report.error.find(file.string()), std::string::npos) << report.error;
    EXPECT_EQ(read_file(file), contents);  // untouched
  }
}

TEST(Identity, DirectoryInPlaceOfKeyFileIsAnError) {
  TempDir tmp;
  fs::create_directory(tmp.path() / kIdentityFileName);
  IdentityReport report;
  auto key = load_or_create_identity(tmp.path(), &report);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error(), Error::io_failure);
  EXPECT_FALSE(report.error.empty());
}

TEST(Identity, StateDirFromEnvPrecedence) {
  std::map<std::string, std::string, std::less<>> env = {
      {"IPFS_ACCELERATE_HOME", "/srv/ipfsa"}, {"XDG_DATA_HOME", "/xdg"}, {"HOME", "/home/u"}};
  EXPECT_EQ(state_dir_from_env(env_from(env)).value(), fs::path("/srv/ipfsa"));
  env["IPFS_ACCELERATE_HOME"] = "";
  EXPECT_EQ(state_dir_from_env(env_from(env)).value(), fs::path("/xdg/ipfs-accelerate"));
  env["XDG_DATA_HOME"] = "relative/dir";
  EXPECT_EQ(state_dir_from_env(env_from(env)).value(),
            fs::path("/home/u/.local/share/ipfs-accelerate"));
  env.erase("XDG_DATA_HOME");
  EXPECT_EQ(state_dir_from_env(env_from(env)).value(),
            fs::path("/home/u/.local/share/ipfs-accelerate"));
  env.erase("HOME");
  env.erase("IPFS_ACCELERATE_HOME");
  EXPECT_EQ(state_dir_from_env(env_from(env)).error(), Error::not_found);
}

}  // namespace
}  // namespace ipfsa::crypto
