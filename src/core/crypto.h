// Thin wrappers over libsodium. Call crypto_init() once before any of them.
#pragma once
#include <string>
#include <string_view>

namespace epinet::crypto {

void init();

// Random bytes encoded as base64url without padding.
std::string random_token(size_t bytes = 32);

// Hex of SHA-256 (used for session tokens at rest: the store never holds a
// usable token).
std::string sha256_hex(std::string_view data);

// Argon2id password hash in libsodium's self-describing string form.
std::string hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

std::string base64url_encode(std::string_view bytes);
// Returns false on malformed input.
bool base64url_decode(std::string_view text, std::string& out);

// Constant-time comparison of equal-length strings.
bool equal(std::string_view a, std::string_view b);

}  // namespace epinet::crypto
