#include "service/keys.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <cstring>
#include <fstream>

#include "core/crypto.h"

#include "core/error.h"

namespace epinet::service {
namespace fs = std::filesystem;
namespace {

void write_secret(const fs::path& file, const unsigned char* data, size_t n) {
  // O_EXCL semantics: never replace a key that exists.
  if (fs::exists(file)) return;
  {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
    if (!out) throw Error(ErrorKind::kInternal, "io_error", "cannot write " + file.string());
  }
  ::chmod(file.c_str(), 0600);
}

std::vector<int> signing_kids(const fs::path& dir) {
  std::vector<int> kids;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.rfind("signing-", 0) != 0 || n.size() <= 12 || n.substr(n.size() - 4) != ".key") continue;
    std::string digits = n.substr(8, n.size() - 12);
    bool ok = digits.size() <= 3 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    int kid = ok ? std::stoi(digits) : 0;
    if (kid < 1 || kid > 255)
      throw Error(ErrorKind::kInternal, "bad_key", "key file " + n + ": signing keys are named signing-<1..255>.key");
    kids.push_back(kid);
  }
  std::sort(kids.begin(), kids.end());
  return kids;
}

}  // namespace

KeyReport init_keys(const std::string& data_dir, bool rotate) {
  fs::path dir = fs::path(data_dir) / "keys";
  fs::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  KeyReport r;
  auto kids = signing_kids(dir);
  if (kids.empty() || rotate) {
    int kid = kids.empty() ? 1 : kids.back() + 1;
    if (kid > 255) throw invalid("too_many_keys", "key ids are one byte: at most 255 signing keys");
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    std::string name = "signing-" + std::to_string(kid) + ".key";
    write_secret(dir / name, sk, sizeof sk);
    sodium_memzero(sk, sizeof sk);
    r.created.push_back(name);
  }
  for (const char* name : {"pii-hmac.key", "pii-enc.key"}) {
    if (fs::exists(dir / name)) continue;
    unsigned char k[32];
    randombytes_buf(k, sizeof k);
    write_secret(dir / name, k, sizeof k);
    sodium_memzero(k, sizeof k);
    r.created.push_back(name);
  }
  r.signing_kids = signing_kids(dir);
  return r;
}

}  // namespace epinet::service

namespace epinet::service {

namespace {
std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(ErrorKind::kInternal, "io_error", "cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

KeyRing load_keys(const std::string& data_dir) {
  init_keys(data_dir, false);
  fs::path dir = fs::path(data_dir) / "keys";
  KeyRing k;
  for (int kid : signing_kids(dir)) {
    domain::SigningKey sk;
    sk.kid = static_cast<uint8_t>(kid);
    sk.secret_key = read_file(dir / ("signing-" + std::to_string(kid) + ".key"));
    if (sk.secret_key.size() != crypto_sign_SECRETKEYBYTES)
      throw Error(ErrorKind::kInternal, "bad_key", "signing key " + std::to_string(kid) + " has the wrong size");
    sk.public_key.assign(crypto_sign_PUBLICKEYBYTES, '\0');
    crypto_sign_ed25519_sk_to_pk(reinterpret_cast<unsigned char*>(sk.public_key.data()),
                                 reinterpret_cast<const unsigned char*>(sk.secret_key.data()));
    k.signing[sk.kid] = std::move(sk);
  }
  k.pii_hmac_key = read_file(dir / "pii-hmac.key");
  k.pii_enc_key = read_file(dir / "pii-enc.key");
  if (k.pii_hmac_key.size() != 32 || k.pii_enc_key.size() != 32)
    throw Error(ErrorKind::kInternal, "bad_key", "PII keys must be 32 bytes");
  k.token_digest_key.assign(crypto_shorthash_KEYBYTES, '\0');
  randombytes_buf(k.token_digest_key.data(), k.token_digest_key.size());
  return k;
}

std::map<uint8_t, std::string> KeyRing::public_keys() const {
  std::map<uint8_t, std::string> out;
  for (const auto& [kid, k] : signing) out[kid] = k.public_key;
  return out;
}

std::string KeyRing::id_hash(const std::string& id_number) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(pii_hmac_key.data()), pii_hmac_key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(id_number.data()), id_number.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string KeyRing::encrypt_id(const std::string& id_number) const {
  std::string out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + id_number.size() +
                      crypto_aead_xchacha20poly1305_ietf_ABYTES,
                  '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
                                             reinterpret_cast<const unsigned char*>(id_number.data()),
                                             id_number.size(), nullptr, 0, nullptr, nonce,
                                             reinterpret_cast<const unsigned char*>(pii_enc_key.data()));
  return crypto::base64url_encode(out);
}

std::string KeyRing::decrypt_id(const std::string& sealed) const {
  std::string raw;
  if (!crypto::base64url_decode(sealed, raw) ||
      raw.size() < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
    throw Error(ErrorKind::kInternal, "bad_ciphertext", "a stored identity number is damaged");
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
  size_t clen = raw.size() - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string out(clen, '\0');
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(out.data()), &mlen, nullptr,
                                                 nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, clen, nullptr,
                                                 0, nonce, reinterpret_cast<const unsigned char*>(pii_enc_key.data())) != 0)
    throw Error(ErrorKind::kInternal, "bad_ciphertext", "a stored identity number failed authentication");
  out.resize(mlen);
  return out;
}

namespace {
// 8 bytes of keystream for a nonce: HMAC(pii key, "pseudonym" ‖ nonce).
void pseudonym_mask(const std::string& key, const uint8_t* nonce, uint8_t out[8]) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  unsigned char msg[17] = {'p', 's', 'e', 'u', 'd', 'o', 'n', 'y', 'm'};
  std::memcpy(msg + 9, nonce, 8);
  crypto_auth_hmacsha256(mac, msg, sizeof msg, reinterpret_cast<const unsigned char*>(key.data()));
  std::memcpy(out, mac, 8);
}
}  // namespace

domain::Pseudonym KeyRing::make_pseudonym(int64_t person_id) const {
  domain::Pseudonym p{};
  randombytes_buf(p.data(), 8);
  uint8_t mask[8];
  pseudonym_mask(pii_hmac_key, p.data(), mask);
  for (int i = 0; i < 8; ++i) p[8 + i] = static_cast<uint8_t>((static_cast<uint64_t>(person_id) >> (56 - 8 * i)) & 0xff) ^ mask[i];
  return p;
}

int64_t KeyRing::person_of(const domain::Pseudonym& p) const {
  uint8_t mask[8];
  pseudonym_mask(pii_hmac_key, p.data(), mask);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[8 + i] ^ mask[i]);
  return static_cast<int64_t>(v);
}

}  // namespace epinet::service
