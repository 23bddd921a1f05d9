#include "domain/healthcode/token.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <map>
#include <string>

#include "core/crypto.h"

namespace epinet::domain {
namespace {

// base64url without padding, via libsodium (independent of core/crypto).
std::string b64(const std::string& bytes) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.resize(std::strlen(out.c_str()));
  return out;
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

SigningKey make_key(uint8_t kid) {
  SigningKey k;
  k.kid = kid;
  k.public_key.assign(crypto_sign_PUBLICKEYBYTES, '\0');
  k.secret_key.assign(crypto_sign_SECRETKEYBYTES, '\0');
  crypto_sign_keypair(reinterpret_cast<unsigned char*>(k.public_key.data()),
                      reinterpret_cast<unsigned char*>(k.secret_key.data()));
  return k;
}

// Signs raw payload bytes as the server would, whatever they contain.
std::string sign_raw(const std::string& payload, const SigningKey& key) {
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                       reinterpret_cast<const unsigned char*>(key.secret_key.data()));
  return b64(payload + std::string(reinterpret_cast<const char*>(sig), sizeof sig));
}

uint64_t be64(const std::string& s, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

constexpr int64_t kNow = 1'795'000'000;  // 2026-11-18, Unix seconds

class TokenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { crypto::init(); }

  void SetUp() override {
    key_ = make_key(3);
    keys_ = {{key_.kid, key_.public_key}};
    claims_.kid = key_.kid;
    for (size_t i = 0; i < claims_.pseudonym.size(); ++i) claims_.pseudonym[i] = static_cast<uint8_t>(0xA0 + i);
    claims_.color = CodeColor::kRed;
    claims_.issued_at = kNow - 10;
    claims_.expires_at = kNow + 300;
  }

  TokenProblem verify(const std::string& token, int64_t now = kNow) { return verify_token(token, keys_, now).problem; }

  SigningKey key_;
  std::map<uint8_t, std::string> keys_;
  TokenClaims claims_;
};

TEST_F(TokenTest, SignedTokenVerifiesAndCarriesItsClaims) {
  for (auto color : {CodeColor::kGreen, CodeColor::kYellow, CodeColor::kRed}) {
    claims_.color = color;
    std::string token = sign_token(claims_, key_);
    EXPECT_EQ(token.size(), 132u) << token;
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << "base64url, no padding: " << token;
    auto r = verify_token(token, keys_, kNow);
    ASSERT_TRUE(r) << token_problem_code(r.problem);
    EXPECT_EQ(r.claims.kid, 3);
    EXPECT_EQ(r.claims.pseudonym, claims_.pseudonym);
    EXPECT_EQ(r.claims.color, color);
    EXPECT_EQ(r.claims.issued_at, claims_.issued_at);
    EXPECT_EQ(r.claims.expires_at, claims_.expires_at);
  }
}

TEST_F(TokenTest, PayloadLayoutIsExactlyAsDocumented) {
  claims_.kid = 0x7e;
  key_ = make_key(0x7e);
  keys_ = {{key_.kid, key_.public_key}};
  claims_.color = CodeColor::kYellow;
  // Distinct bytes catch a byte-order or offset slip.
  claims_.issued_at = 0x0102030405060708;
  claims_.expires_at = 0x1112131415161718;
  std::string raw = unb64(sign_token(claims_, key_));
  ASSERT_EQ(raw.size(), 35u + 64u);
  EXPECT_EQ(static_cast<uint8_t>(raw[0]), 1) << "version";
  EXPECT_EQ(static_cast<uint8_t>(raw[1]), 0x7e) << "kid";
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(static_cast<uint8_t>(raw[2 + i]), 0xA0 + i) << "pseudonym byte " << i;
  EXPECT_EQ(static_cast<uint8_t>(raw[18]), 1) << "colour: yellow is 1";
  EXPECT_EQ(be64(raw, 19), 0x0102030405060708u) << "issued_at, big-endian";
  EXPECT_EQ(be64(raw, 27), 0x1112131415161718u) << "expires_at, big-endian";
  EXPECT_EQ(encode_payload(claims_), raw.substr(0, 35));
  // The last 64 bytes are an Ed25519 signature of the first 35.
  EXPECT_EQ(crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(raw.data() + 35),
                                        reinterpret_cast<const unsigned char*>(raw.data()), 35,
                                        reinterpret_cast<const unsigned char*>(key_.public_key.data())),
            0);
  // And a realistic time reads back as the same seconds.
  claims_.issued_at = kNow;
  claims_.expires_at = kNow + 300;
  raw = unb64(sign_token(claims_, key_));
  EXPECT_EQ(be64(raw, 19), static_cast<uint64_t>(kNow));
  EXPECT_EQ(be64(raw, 27), static_cast<uint64_t>(kNow + 300));
}

TEST_F(TokenTest, ColourBytesAreZeroOneTwo) {
  for (auto [color, byte] : {std::pair{CodeColor::kGreen, 0}, {CodeColor::kYellow, 1}, {CodeColor::kRed, 2}}) {
    claims_.color = color;
    EXPECT_EQ(static_cast<uint8_t>(encode_payload(claims_)[18]), byte);
  }
}

TEST_F(TokenTest, MalformedTokensAreMalformed) {
  const std::string good = sign_token(claims_, key_);
  std::string bad_char = good;
  bad_char[40] = '!';
  std::string std_alphabet = good;
  std_alphabet[40] = '+';
  std::string padded = good.substr(0, 131) + "=";
  std::string longer = sign_raw(encode_payload(claims_) + "xyz", key_);  // 102 bytes, well-formed base64url
  std::string shorter = b64(unb64(good).substr(0, 98));
  const std::pair<const char*, std::string> cases[] = {
      {"empty", ""},
      {"truncated by one character", good.substr(0, 131)},
      {"one character more", good + "A"},
      {"four characters more", good + "AAAA"},
      {"non-base64 character", bad_char},
      {"standard-base64 character", std_alphabet},
      {"padding", padded},
      {"too long (102 bytes)", longer},
      {"one byte short", shorter},
      {"whitespace", good.substr(0, 66) + " " + good.substr(67)},
      {"text", "hello"},
  };
  for (const auto& [what, token] : cases) {
    EXPECT_EQ(parse_token(token).problem, TokenProblem::kMalformed) << what;
    EXPECT_EQ(verify(token), TokenProblem::kMalformed) << what;
  }
}

TEST_F(TokenTest, ColourByteAboveTwoIsMalformedEvenWhenSigned) {
  for (int c : {3, 4, 0x80, 0xff}) {
    std::string payload = encode_payload(claims_);
    payload[18] = static_cast<char>(c);
    std::string token = sign_raw(payload, key_);
    ASSERT_EQ(token.size(), 132u);
    EXPECT_EQ(verify(token), TokenProblem::kMalformed) << c;
    EXPECT_EQ(parse_token(token).problem, TokenProblem::kMalformed) << c;
  }
}

TEST_F(TokenTest, OtherVersionsAreUnknownEvenWhenSigned) {
  for (int v : {0, 2, 0xff}) {
    std::string payload = encode_payload(claims_);
    payload[0] = static_cast<char>(v);
    std::string token = sign_raw(payload, key_);
    EXPECT_EQ(verify(token), TokenProblem::kUnknownVersion) << v;
    EXPECT_EQ(parse_token(token).problem, TokenProblem::kUnknownVersion) << v;
  }
}

TEST_F(TokenTest, KeyIdNotPublishedIsUnknownKey) {
  std::string token = sign_token(claims_, key_);
  EXPECT_EQ(verify_token(token, {}, kNow).problem, TokenProblem::kUnknownKey);
  auto other = make_key(4);
  EXPECT_EQ(verify_token(token, {{4, other.public_key}}, kNow).problem, TokenProblem::kUnknownKey);
}

TEST_F(TokenTest, RotatedKeysBothVerifyTheirOwnTokens) {
  auto old_key = make_key(1), new_key = make_key(2);
  std::map<uint8_t, std::string> published = {{1, old_key.public_key}, {2, new_key.public_key}};
  claims_.kid = 1;
  EXPECT_TRUE(verify_token(sign_token(claims_, old_key), published, kNow));
  claims_.kid = 2;
  EXPECT_TRUE(verify_token(sign_token(claims_, new_key), published, kNow));
  // Claiming kid 2 with kid 1's signature is a forgery.
  std::string payload = encode_payload(claims_);
  EXPECT_EQ(verify_token(sign_raw(payload, old_key), published, kNow).problem, TokenProblem::kBadSignature);
}

TEST_F(TokenTest, TokenSignedByAnotherKeyWithTheSameKidIsForged) {
  auto attacker = make_key(key_.kid);
  EXPECT_EQ(verify(sign_token(claims_, attacker)), TokenProblem::kBadSignature);
}

TEST_F(TokenTest, ChangingTheColourWithoutResigningIsForged) {
  std::string raw = unb64(sign_token(claims_, key_));
  raw[18] = 0;  // red -> green
  std::string forged = b64(raw);
  EXPECT_EQ(verify(forged), TokenProblem::kBadSignature);
  EXPECT_EQ(token_problem_code(verify_token(forged, keys_, kNow).problem), "token_forged");
  EXPECT_TRUE(parse_token(forged)) << "parse_token does not check signatures (documented)";
  EXPECT_EQ(parse_token(forged).claims.color, CodeColor::kGreen);
}

TEST_F(TokenTest, ExtendingTheExpiryWithoutResigningIsForged) {
  std::string raw = unb64(sign_token(claims_, key_));
  raw[33] = static_cast<char>(raw[33] + 1);  // second lowest byte of expires_at: +256 s
  EXPECT_EQ(verify(b64(raw)), TokenProblem::kBadSignature);
  // Still forged when the original had already expired.
  EXPECT_EQ(verify(b64(raw), claims_.expires_at + 100), TokenProblem::kBadSignature);
}

TEST_F(TokenTest, EveryFlippedByteIsRejected) {
  const std::string raw = unb64(sign_token(claims_, key_));
  for (size_t i = 0; i < raw.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80}) {
      std::string t = raw;
      t[i] = static_cast<char>(t[i] ^ mask);
      TokenProblem p = verify(b64(t));
      EXPECT_NE(p, TokenProblem::kNone) << "byte " << i << " mask " << int(mask);
      if (i >= 2 && i != 18) {
        EXPECT_EQ(p, TokenProblem::kBadSignature) << "byte " << i << " mask " << int(mask);
      }
    }
  }
}

TEST_F(TokenTest, FlippedSignatureByteIsForged) {
  std::string raw = unb64(sign_token(claims_, key_));
  for (size_t i : {35u, 60u, 98u}) {
    std::string t = raw;
    t[i] = static_cast<char>(t[i] ^ 0x10);
    EXPECT_EQ(verify(b64(t)), TokenProblem::kBadSignature) << i;
  }
}

TEST_F(TokenTest, ExpiresAtTheExpiryInstant) {
  std::string token = sign_token(claims_, key_);
  EXPECT_EQ(verify(token, claims_.expires_at - 1), TokenProblem::kNone);
  EXPECT_EQ(verify(token, claims_.expires_at), TokenProblem::kExpired);
  EXPECT_EQ(verify(token, claims_.expires_at + 1), TokenProblem::kExpired);
  EXPECT_EQ(verify(token, claims_.expires_at + 86'400), TokenProblem::kExpired);
  EXPECT_EQ(token_problem_code(verify_token(token, keys_, claims_.expires_at).problem), "token_expired");
}

TEST_F(TokenTest, IssuedInTheFutureBeyondSkewIsNotYetValid) {
  claims_.issued_at = kNow + 61;
  claims_.expires_at = kNow + 600;
  std::string token = sign_token(claims_, key_);
  EXPECT_EQ(verify(token), TokenProblem::kNotYetValid);
  EXPECT_EQ(verify(token, kNow + 1), TokenProblem::kNone) << "within the default 60 s skew";
  EXPECT_EQ(verify_token(token, keys_, kNow, 120).problem, TokenProblem::kNone);
  EXPECT_EQ(verify_token(token, keys_, kNow + 61, 0).problem, TokenProblem::kNone);
  EXPECT_EQ(verify_token(token, keys_, kNow + 60, 0).problem, TokenProblem::kNotYetValid);
}

TEST_F(TokenTest, CheckWindowOnTrustedClaims) {
  TokenClaims c;
  c.issued_at = 1000;
  c.expires_at = 2000;
  EXPECT_EQ(check_window(c, 1000), TokenProblem::kNone);
  EXPECT_EQ(check_window(c, 1999), TokenProblem::kNone);
  EXPECT_EQ(check_window(c, 2000), TokenProblem::kExpired);
  EXPECT_EQ(check_window(c, 940), TokenProblem::kNone) << "60 s skew";
  EXPECT_EQ(check_window(c, 939), TokenProblem::kNotYetValid);
  EXPECT_EQ(check_window(c, 999, 0), TokenProblem::kNotYetValid);
}

TEST(TokenColor, NamesRoundTrip) {
  for (auto c : {CodeColor::kGreen, CodeColor::kYellow, CodeColor::kRed}) EXPECT_EQ(parse_color(color_name(c)), c);
  EXPECT_EQ(color_name(CodeColor::kGreen), "green");
  EXPECT_EQ(color_name(CodeColor::kYellow), "yellow");
  EXPECT_EQ(color_name(CodeColor::kRed), "red");
  for (const char* bad : {"", "Green", "RED", "blue", "green ", "0"}) EXPECT_EQ(parse_color(bad), std::nullopt) << bad;
}

TEST(TokenProblemCode, StableCodes) {
  EXPECT_EQ(token_problem_code(TokenProblem::kNone), "token_valid");
  EXPECT_EQ(token_problem_code(TokenProblem::kMalformed), "token_malformed");
  EXPECT_EQ(token_problem_code(TokenProblem::kUnknownVersion), "token_unknown_version");
  EXPECT_EQ(token_problem_code(TokenProblem::kUnknownKey), "token_unknown_key");
  EXPECT_EQ(token_problem_code(TokenProblem::kBadSignature), "token_forged");
  EXPECT_EQ(token_problem_code(TokenProblem::kExpired), "token_expired");
  EXPECT_EQ(token_problem_code(TokenProblem::kNotYetValid), "token_not_yet_valid");
}

}  // namespace
}  // namespace epinet::domain
