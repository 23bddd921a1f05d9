// Key material in ${EPINET_DATA_DIR}/keys (mode 0700; files 0600):
//   signing-<kid>.key  Ed25519 secret keys for health-code tokens (rotation:
//                      several may be live; the highest kid signs)
//   pii-hmac.key       key of the keyed hash used to look up identity numbers
//   pii-enc.key        XChaCha20-Poly1305 key that encrypts identity numbers
#pragma once
#include <string>
#include <vector>

namespace epinet::service {

struct KeyReport {
  std::vector<std::string> created;  // file names written by this call
  std::vector<int> signing_kids;     // all signing keys now present
};

// Creates whatever is missing; with rotate, also adds a new signing key.
// Never overwrites an existing key.
KeyReport init_keys(const std::string& data_dir, bool rotate);

}  // namespace epinet::service

#include <map>

#include "domain/healthcode/token.h"

namespace epinet::service {

// The keys a running server uses, loaded once at start.
struct KeyRing {
  std::map<uint8_t, domain::SigningKey> signing;  // by kid; the highest signs
  std::string pii_hmac_key;                       // 32 bytes
  std::string pii_enc_key;                        // 32 bytes
  std::string token_digest_key;                   // 16 bytes, per process: recognises tokens this server issued

  const domain::SigningKey& current() const { return signing.rbegin()->second; }
  std::map<uint8_t, std::string> public_keys() const;

  // HMAC-SHA256 of a normalised identity number, hex.
  std::string id_hash(const std::string& id_number) const;
  // Encrypts / decrypts an identity number (XChaCha20-Poly1305, random nonce).
  std::string encrypt_id(const std::string& id_number) const;
  std::string decrypt_id(const std::string& sealed) const;  // throws on tampering
  // A 16-byte pseudonym for a token: random nonce ‖ person id masked by a
  // keyed stream, so codes of one person cannot be linked by a third party
  // and this server recovers the id without a lookup.
  domain::Pseudonym make_pseudonym(int64_t person_id) const;
  int64_t person_of(const domain::Pseudonym& p) const;
};

// Loads DATA_DIR/keys, creating what is missing first.
KeyRing load_keys(const std::string& data_dir);

}  // namespace epinet::service
