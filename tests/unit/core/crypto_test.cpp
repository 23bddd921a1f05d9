#include "core/crypto.h"

#include <gtest/gtest.h>

#include <set>

namespace epinet::crypto {
namespace {

class CryptoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { init(); }
};

TEST_F(CryptoTest, Base64urlRoundTripsTextEmptyAndBinary) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  for (const std::string& in : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                                std::string("晋中市"), std::string("\0\xff\0", 3), all_bytes}) {
    std::string enc = base64url_encode(in), dec;
    ASSERT_TRUE(base64url_decode(enc, dec)) << enc;
    EXPECT_EQ(dec, in);
  }
}

TEST_F(CryptoTest, Base64urlUsesTheUrlAlphabetWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  // 0xfb 0xff encodes to "+/8=" in standard base64.
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST_F(CryptoTest, Base64urlDecodeRejectsMalformedInput) {
  std::string out;
  EXPECT_FALSE(base64url_decode("Zg==", out)) << "padding is not part of base64url here";
  EXPECT_FALSE(base64url_decode("+/8", out)) << "standard-alphabet characters";
  EXPECT_FALSE(base64url_decode("Zm9v YmFy", out)) << "whitespace";
  EXPECT_FALSE(base64url_decode("Zm9v!", out));
  EXPECT_FALSE(base64url_decode("Z", out)) << "a single character cannot encode a byte";
  EXPECT_FALSE(base64url_decode("Zh", out)) << "non-zero trailing bits";
  EXPECT_FALSE(base64url_decode("Zm9v\n", out));
}

TEST_F(CryptoTest, PasswordHashVerifiesOnlyTheRightPassword) {
  std::string h = hash_password("correct horse battery");
  EXPECT_TRUE(verify_password(h, "correct horse battery"));
  EXPECT_FALSE(verify_password(h, "correct horse batterY"));
  EXPECT_EQ(h.find("correct"), std::string::npos) << "the hash must not contain the password";
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
}

TEST_F(CryptoTest, TwoHashesOfTheSamePasswordDiffer) {
  std::string a = hash_password("same-password"), b = hash_password("same-password");
  EXPECT_NE(a, b) << "each hash has its own salt";
  EXPECT_TRUE(verify_password(b, "same-password")) << "and either one verifies";
}

TEST_F(CryptoTest, VerifyRejectsEmptyOrCorruptHashes) {
  EXPECT_FALSE(verify_password("", "anything"));
  EXPECT_FALSE(verify_password("not a hash", "not a hash"));
}

TEST_F(CryptoTest, RandomTokenHasExpectedLengthAlphabetAndIsUnique) {
  EXPECT_EQ(random_token().size(), 43u);  // 32 bytes → 43 base64url characters
  EXPECT_EQ(random_token(9).size(), 12u);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string t = random_token();
    ASSERT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 1000u);
  std::string raw;
  ASSERT_TRUE(base64url_decode(random_token(16), raw));
  EXPECT_EQ(raw.size(), 16u);
}

TEST_F(CryptoTest, Sha256HexMatchesKnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(CryptoTest, EqualComparesContentAndLength) {
  EXPECT_TRUE(equal("token", "token"));
  EXPECT_FALSE(equal("token", "tokeN"));
  EXPECT_FALSE(equal("token", "token2"));
  EXPECT_TRUE(equal("", ""));
}

}  // namespace
}  // namespace epinet::crypto
