#include "service/keys.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

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
    if (n.rfind("signing-", 0) == 0 && n.size() > 12 && n.substr(n.size() - 4) == ".key")
      kids.push_back(std::stoi(n.substr(8, n.size() - 12)));
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
