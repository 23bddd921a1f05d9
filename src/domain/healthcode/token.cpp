#include "domain/healthcode/token.h"

#include <sodium.h>

#include <stdexcept>

#include "core/crypto.h"

namespace epinet::domain {

std::string_view color_name(CodeColor c) {
  switch (c) {
    case CodeColor::kGreen: return "green";
    case CodeColor::kYellow: return "yellow";
    case CodeColor::kRed: return "red";
  }
  return "red";
}

std::optional<CodeColor> parse_color(std::string_view s) {
  if (s == "green") return CodeColor::kGreen;
  if (s == "yellow") return CodeColor::kYellow;
  if (s == "red") return CodeColor::kRed;
  return std::nullopt;
}

namespace {
void put_u64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out += static_cast<char>((v >> (i * 8)) & 0xff);
}
uint64_t get_u64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
}  // namespace

std::string encode_payload(const TokenClaims& c) {
  std::string out;
  out.reserve(kPayloadBytes);
  out += static_cast<char>(kTokenVersion);
  out += static_cast<char>(c.kid);
  out.append(reinterpret_cast<const char*>(c.pseudonym.data()), c.pseudonym.size());
  out += static_cast<char>(c.color);
  put_u64(out, static_cast<uint64_t>(c.issued_at));
  put_u64(out, static_cast<uint64_t>(c.expires_at));
  return out;
}

std::string sign_token(const TokenClaims& c, const SigningKey& key) {
  if (c.kid != key.kid || key.secret_key.size() != crypto_sign_SECRETKEYBYTES)
    throw std::invalid_argument("sign_token: the claims' kid must be the key's, and the key 64 bytes");
  std::string payload = encode_payload(c);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                       reinterpret_cast<const unsigned char*>(key.secret_key.data()));
  payload.append(reinterpret_cast<const char*>(sig), sizeof sig);
  return crypto::base64url_encode(payload);
}

std::string_view token_problem_code(TokenProblem p) {
  switch (p) {
    case TokenProblem::kNone: return "token_valid";
    case TokenProblem::kMalformed: return "token_malformed";
    case TokenProblem::kUnknownVersion: return "token_unknown_version";
    case TokenProblem::kUnknownKey: return "token_unknown_key";
    case TokenProblem::kBadSignature: return "token_forged";
    case TokenProblem::kExpired: return "token_expired";
    case TokenProblem::kNotYetValid: return "token_not_yet_valid";
  }
  return "token_malformed";
}

TokenCheck parse_token(std::string_view token) {
  TokenCheck r;
  std::string raw;
  if (token.size() != 132 || !crypto::base64url_decode(token, raw) || raw.size() != kPayloadBytes + kSignatureBytes) {
    r.problem = TokenProblem::kMalformed;
    return r;
  }
  auto p = reinterpret_cast<const unsigned char*>(raw.data());
  if (p[0] != kTokenVersion) {
    r.problem = TokenProblem::kUnknownVersion;
    return r;
  }
  r.claims.kid = p[1];
  std::copy(p + 2, p + 18, r.claims.pseudonym.begin());
  if (p[18] > 2) {
    r.problem = TokenProblem::kMalformed;
    return r;
  }
  r.claims.color = static_cast<CodeColor>(p[18]);
  r.claims.issued_at = static_cast<int64_t>(get_u64(p + 19));
  r.claims.expires_at = static_cast<int64_t>(get_u64(p + 27));
  return r;
}

TokenProblem check_window(const TokenClaims& c, int64_t now, int64_t skew_s) {
  if (c.issued_at > now + skew_s) return TokenProblem::kNotYetValid;
  if (c.expires_at <= now) return TokenProblem::kExpired;
  return TokenProblem::kNone;
}

TokenCheck verify_token(std::string_view token, const std::map<uint8_t, std::string>& public_keys, int64_t now,
                        int64_t skew_s) {
  TokenCheck r = parse_token(token);
  if (!r) return r;
  auto key = public_keys.find(r.claims.kid);
  if (key == public_keys.end() || key->second.size() != crypto_sign_PUBLICKEYBYTES) {
    r.problem = TokenProblem::kUnknownKey;
    return r;
  }
  std::string raw;
  crypto::base64url_decode(token, raw);
  auto p = reinterpret_cast<const unsigned char*>(raw.data());
  if (crypto_sign_verify_detached(p + kPayloadBytes, p, kPayloadBytes,
                                  reinterpret_cast<const unsigned char*>(key->second.data())) != 0) {
    r.problem = TokenProblem::kBadSignature;
    return r;
  }
  r.problem = check_window(r.claims, now, skew_s);
  return r;
}

}  // namespace epinet::domain
