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
