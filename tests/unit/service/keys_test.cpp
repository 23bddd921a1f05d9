#include "service/keys.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../test_support.h"
#include "core/crypto.h"
#include "core/error.h"

namespace epinet::service {
namespace {

using epinet::testing::TempDir;
namespace fs = std::filesystem;

const std::string kId1 = "140702199003071238";
const std::string kId2 = "11010519491231002X";

int mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string unb64(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    ADD_FAILURE() << "not base64url: " << text;
  out.resize(len);
  return out;
}

std::string b64(const std::string& bytes) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

class KeysTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { crypto::init(); }
  TempDir dir_;
};

TEST_F(KeysTest, LoadCreatesPrivateKeyFilesAndLoadsThem) {
  KeyRing k = load_keys(dir_.path());
  const std::string keys = dir_.path() + "/keys";
  EXPECT_EQ(mode_of(keys), 0700);
  for (const char* f : {"signing-1.key", "pii-hmac.key", "pii-enc.key"}) {
    EXPECT_EQ(mode_of(keys + "/" + f), 0600) << f;
  }
  EXPECT_EQ(read_bytes(keys + "/signing-1.key").size(), static_cast<size_t>(crypto_sign_SECRETKEYBYTES));
  EXPECT_EQ(read_bytes(keys + "/pii-hmac.key"), k.pii_hmac_key);
  EXPECT_EQ(read_bytes(keys + "/pii-enc.key"), k.pii_enc_key);
  EXPECT_EQ(k.pii_hmac_key.size(), 32u);
  EXPECT_EQ(k.pii_enc_key.size(), 32u);
  EXPECT_NE(k.pii_hmac_key, k.pii_enc_key);
  ASSERT_EQ(k.signing.size(), 1u);
  EXPECT_EQ(k.current().kid, 1);
  EXPECT_EQ(k.current().secret_key, read_bytes(keys + "/signing-1.key"));
}

TEST_F(KeysTest, LoadingAgainKeepsTheSameKeys) {
  KeyRing a = load_keys(dir_.path());
  KeyRing b = load_keys(dir_.path());
  EXPECT_EQ(a.current().secret_key, b.current().secret_key);
  EXPECT_EQ(a.pii_hmac_key, b.pii_hmac_key);
  EXPECT_EQ(a.pii_enc_key, b.pii_enc_key);
  EXPECT_EQ(a.id_hash(kId1), b.id_hash(kId1)) << "lookups survive a restart";
  EXPECT_EQ(b.decrypt_id(a.encrypt_id(kId1)), kId1) << "stored numbers survive a restart";
  auto again = init_keys(dir_.path(), false);
  EXPECT_TRUE(again.created.empty());
  EXPECT_EQ(again.signing_kids, std::vector<int>{1});
}

TEST_F(KeysTest, InitReportsWhatItCreated) {
  auto r = init_keys(dir_.path(), false);
  std::set<std::string> created(r.created.begin(), r.created.end());
  EXPECT_EQ(created, (std::set<std::string>{"signing-1.key", "pii-hmac.key", "pii-enc.key"}));
  EXPECT_EQ(r.signing_kids, std::vector<int>{1});
}

TEST_F(KeysTest, IdHashIsDeterministicHexHmacSha256) {
  KeyRing k = load_keys(dir_.path());
  std::string h = k.id_hash(kId1);
  EXPECT_EQ(h, k.id_hash(kId1));
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
  EXPECT_EQ(h.find("1407021990"), std::string::npos);
  // Independently computed HMAC-SHA256 with the key on disk.
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(k.pii_hmac_key.data()), 32);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(kId1.data()), kId1.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  EXPECT_EQ(h, hex);
}

TEST_F(KeysTest, IdHashDiffersForDifferentNumbersAndDifferentInstallations) {
  KeyRing k = load_keys(dir_.path());
  EXPECT_NE(k.id_hash(kId1), k.id_hash(kId2));
  EXPECT_NE(k.id_hash(kId1), k.id_hash("140702199003071239"));
  TempDir other;
  KeyRing o = load_keys(other.path());
  EXPECT_NE(k.id_hash(kId1), o.id_hash(kId1)) << "a hash from one installation says nothing in another";
  EXPECT_NE(k.pii_hmac_key, o.pii_hmac_key);
}

TEST_F(KeysTest, EncryptDecryptRoundTrip) {
  KeyRing k = load_keys(dir_.path());
  for (const std::string& id : {kId1, kId2, std::string("A"), std::string()}) {
    std::string sealed = k.encrypt_id(id);
    EXPECT_EQ(k.decrypt_id(sealed), id);
    if (id.size() == 18) {
      EXPECT_EQ(sealed.find(id), std::string::npos);
    }
  }
}

TEST_F(KeysTest, TwoEncryptionsOfTheSameNumberDiffer) {
  KeyRing k = load_keys(dir_.path());
  std::string a = k.encrypt_id(kId1), b = k.encrypt_id(kId1);
  EXPECT_NE(a, b) << "a random nonce: equal numbers are not visible in the database";
  EXPECT_EQ(k.decrypt_id(a), k.decrypt_id(b));
}

TEST_F(KeysTest, TamperedCiphertextIsRejected) {
  KeyRing k = load_keys(dir_.path());
  const std::string raw = unb64(k.encrypt_id(kId1));
  ASSERT_EQ(raw.size(), 24u + 18u + 16u) << "nonce + number + tag";
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string t = raw;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    EXPECT_THROW(k.decrypt_id(b64(t)), epinet::Error) << "flipped byte " << i;
  }
  EXPECT_THROW(k.decrypt_id(b64(raw.substr(0, raw.size() - 1))), epinet::Error) << "truncated";
  EXPECT_THROW(k.decrypt_id(""), epinet::Error);
  EXPECT_THROW(k.decrypt_id("not base64!"), epinet::Error);
  EXPECT_THROW(k.decrypt_id(b64(std::string(10, 'x'))), epinet::Error) << "shorter than nonce + tag";
}

TEST_F(KeysTest, AnotherInstallationCannotDecrypt) {
  KeyRing k = load_keys(dir_.path());
  TempDir other;
  KeyRing o = load_keys(other.path());
  EXPECT_THROW(o.decrypt_id(k.encrypt_id(kId1)), epinet::Error);
}

TEST_F(KeysTest, PseudonymRoundTripsPersonIds) {
  KeyRing k = load_keys(dir_.path());
  for (int64_t id : {int64_t{0}, int64_t{1}, int64_t{42}, int64_t{255}, int64_t{256}, int64_t{3'400'000},
                     int64_t{1} << 31, int64_t{1} << 40, int64_t{9'007'199'254'740'993}, int64_t{0x0102030405060708},
                     std::numeric_limits<int64_t>::max()}) {
    domain::Pseudonym p = k.make_pseudonym(id);
    EXPECT_EQ(k.person_of(p), id) << id;
  }
  // A restarted server recovers the same person from a code it issued earlier.
  domain::Pseudonym p = k.make_pseudonym(123456789);
  EXPECT_EQ(load_keys(dir_.path()).person_of(p), 123456789);
}

TEST_F(KeysTest, TwoPseudonymsOfOnePersonDiffer) {
  KeyRing k = load_keys(dir_.path());
  std::set<domain::Pseudonym> seen;
  for (int i = 0; i < 50; ++i) seen.insert(k.make_pseudonym(7));
  EXPECT_EQ(seen.size(), 50u) << "codes of one person cannot be linked by comparing pseudonyms";
  // Nor by any fixed part of them.
  domain::Pseudonym a = k.make_pseudonym(7), b = k.make_pseudonym(7);
  EXPECT_NE(std::vector<uint8_t>(a.begin() + 8, a.end()), std::vector<uint8_t>(b.begin() + 8, b.end()));
  EXPECT_NE(std::vector<uint8_t>(a.begin(), a.begin() + 8), std::vector<uint8_t>(b.begin(), b.begin() + 8));
}

TEST_F(KeysTest, PseudonymFromAnotherInstallationDoesNotNameOurPerson) {
  KeyRing k = load_keys(dir_.path());
  TempDir other;
  KeyRing o = load_keys(other.path());
  int same = 0;
  for (int i = 0; i < 20; ++i) same += o.person_of(k.make_pseudonym(1000 + i)) == 1000 + i;
  EXPECT_EQ(same, 0);
}

TEST_F(KeysTest, PublicKeysVerifyWhatCurrentSigns) {
  KeyRing k = load_keys(dir_.path());
  auto pub = k.public_keys();
  ASSERT_EQ(pub.size(), 1u);
  ASSERT_TRUE(pub.count(k.current().kid));
  EXPECT_EQ(pub.at(k.current().kid).size(), static_cast<size_t>(crypto_sign_PUBLICKEYBYTES));

  const std::string msg = "health code payload";
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                       reinterpret_cast<const unsigned char*>(k.current().secret_key.data()));
  EXPECT_EQ(crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                        reinterpret_cast<const unsigned char*>(pub.at(k.current().kid).data())),
            0);

  // And a health-code token made by this server verifies offline with them.
  domain::TokenClaims c;
  c.kid = k.current().kid;
  c.pseudonym = k.make_pseudonym(77);
  c.color = domain::CodeColor::kYellow;
  c.issued_at = 1'795'000'000;
  c.expires_at = c.issued_at + 300;
  auto check = domain::verify_token(domain::sign_token(c, k.current()), pub, c.issued_at + 10);
  ASSERT_TRUE(check) << domain::token_problem_code(check.problem);
  EXPECT_EQ(k.person_of(check.claims.pseudonym), 77);
  EXPECT_EQ(check.claims.color, domain::CodeColor::kYellow);
}

TEST_F(KeysTest, RotationAddsANewSigningKeyAndKeepsTheOld) {
  KeyRing before = load_keys(dir_.path());
  domain::TokenClaims c;
  c.kid = before.current().kid;
  c.issued_at = 1'795'000'000;
  c.expires_at = c.issued_at + 300;
  std::string old_token = domain::sign_token(c, before.current());

  auto r = init_keys(dir_.path(), true);
  EXPECT_EQ(r.created, std::vector<std::string>{"signing-2.key"});
  EXPECT_EQ(r.signing_kids, (std::vector<int>{1, 2}));
  EXPECT_EQ(mode_of(dir_.path() + "/keys/signing-2.key"), 0600);

  KeyRing after = load_keys(dir_.path());
  EXPECT_EQ(after.current().kid, 2) << "the highest kid signs";
  EXPECT_EQ(after.signing.at(1).secret_key, before.current().secret_key) << "the old key is kept";
  EXPECT_NE(after.current().public_key, before.current().public_key);
  auto pub = after.public_keys();
  EXPECT_EQ(pub.size(), 2u);
  EXPECT_TRUE(domain::verify_token(old_token, pub, c.issued_at + 10)) << "codes issued before rotation still verify";
  c.kid = 2;
  EXPECT_TRUE(domain::verify_token(domain::sign_token(c, after.current()), pub, c.issued_at + 10));
  EXPECT_EQ(after.pii_hmac_key, before.pii_hmac_key) << "rotation does not touch the PII keys";
}

TEST_F(KeysTest, TokenDigestKeyIsPerProcessLoad) {
  KeyRing a = load_keys(dir_.path());
  KeyRing b = load_keys(dir_.path());
  EXPECT_EQ(a.token_digest_key.size(), 16u);
  EXPECT_NE(a.token_digest_key, b.token_digest_key);
}

}  // namespace
}  // namespace epinet::service
