// The signed health-code token (docs/health-code-token.md).
//
//   token   = base64url-nopad(payload || signature)
//   payload = version:u8 (=1) | kid:u8 | pseudonym:16 bytes | colour:u8 (0 green, 1 yellow, 2 red)
//             | issued_at:u64 BE (Unix seconds) | expires_at:u64 BE (Unix seconds)      = 35 bytes
//   signature = Ed25519 over payload (64 bytes)
//
// Anyone holding the published public keys can verify a code offline.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace epinet::domain {

enum class CodeColor : uint8_t { kGreen = 0, kYellow = 1, kRed = 2 };
std::string_view color_name(CodeColor c);
std::optional<CodeColor> parse_color(std::string_view s);

constexpr uint8_t kTokenVersion = 1;
constexpr size_t kPayloadBytes = 35;
constexpr size_t kSignatureBytes = 64;
using Pseudonym = std::array<uint8_t, 16>;

struct TokenClaims {
  uint8_t kid = 0;
  Pseudonym pseudonym{};
  CodeColor color = CodeColor::kGreen;
  int64_t issued_at = 0;   // Unix seconds
  int64_t expires_at = 0;  // Unix seconds
};

// Ed25519 keys: secret 64 bytes (libsodium form), public 32 bytes.
struct SigningKey {
  uint8_t kid = 0;
  std::string secret_key;
  std::string public_key;
};

std::string encode_payload(const TokenClaims& c);
// Signs the claims with the key (claims.kid must equal key.kid).
std::string sign_token(const TokenClaims& c, const SigningKey& key);

enum class TokenProblem { kNone, kMalformed, kUnknownVersion, kUnknownKey, kBadSignature, kExpired, kNotYetValid };
std::string_view token_problem_code(TokenProblem p);  // e.g. "token_expired"

struct TokenCheck {
  TokenProblem problem = TokenProblem::kNone;
  TokenClaims claims;
  explicit operator bool() const { return problem == TokenProblem::kNone; }
};

// Parses a token without checking its signature (for the fast path that
// recognises tokens this server issued) — callers must establish trust
// some other way.
TokenCheck parse_token(std::string_view token);

// Full offline verification against public keys by kid, at time `now`
// (Unix seconds), allowing `skew_s` of clock difference for issued_at.
TokenCheck verify_token(std::string_view token, const std::map<uint8_t, std::string>& public_keys, int64_t now,
                        int64_t skew_s = 60);

// Checks only the time window of already-trusted claims.
TokenProblem check_window(const TokenClaims& c, int64_t now, int64_t skew_s = 60);

}  // namespace epinet::domain
