// In-process cost of recognising a health code and deciding at a checkpoint,
// one scan per iteration on one thread (run by bench/decide/run):
//
//   ScanForeignCode  a code another node issued: full offline verification
//                    (domain::verify_token: base64url, Ed25519 over the
//                    payload, time window) and domain::decide on facts taken
//                    from the claims (no rule evaluation, no store).
//   ScanIssuedCode   a code this server issued: service::IssuedTokens::find
//                    (keyed SipHash digest of the token, one hash-map lookup),
//                    domain::check_window and domain::decide on the facts the
//                    server kept when it issued the code.
//   Ed25519Verify100 the reference, in the same run: libsodium's
//                    crypto_sign_verify_detached of a 100-byte message.
//
// The table of issued codes holds kIssuedCodes entries and the scans cycle
// through all of them, so lookups miss the CPU caches as a busy server's would.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/time.h"
#include "domain/checkpoint/decision.h"
#include "domain/healthcode/rules.h"
#include "domain/healthcode/token.h"
#include "service/runtime.h"

namespace {

using namespace epinet;

constexpr size_t kIssuedCodes = 100000;

struct Codes {
  domain::SigningKey key;
  std::map<uint8_t, std::string> public_keys;
  std::vector<std::string> tokens;  // every code signed, kIssuedCodes of them
  std::unique_ptr<service::IssuedTokens> issued;
  int64_t now_s = 0;
  domain::VenuePolicy policy;
};

// Built once, outside the timed loops: signing 100,000 codes takes a few seconds.
const Codes& codes() {
  static const Codes* c = [] {
    crypto::init();
    auto* c = new Codes;
    c->key.kid = 1;
    c->key.secret_key.resize(crypto_sign_SECRETKEYBYTES);
    c->key.public_key.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_keypair(reinterpret_cast<unsigned char*>(c->key.public_key.data()),
                        reinterpret_cast<unsigned char*>(c->key.secret_key.data()));
    c->public_keys[c->key.kid] = c->key.public_key;
    std::string digest_key(crypto_shorthash_KEYBYTES, '\0');
    randombytes_buf(digest_key.data(), digest_key.size());
    c->issued = std::make_unique<service::IssuedTokens>(digest_key);

    const Millis now = now_ms();
    c->now_s = now / 1000;
    // What the health-code engine says of a person with nothing against them:
    // the facts a server keeps for the codes it issues.
    const domain::CodeDecision green = domain::evaluate(domain::default_rule_set(), domain::PersonState{}, now);
    c->tokens.reserve(kIssuedCodes);
    for (size_t i = 0; i < kIssuedCodes; ++i) {
      domain::TokenClaims claims;
      claims.kid = c->key.kid;
      randombytes_buf(claims.pseudonym.data(), claims.pseudonym.size());
      claims.color = green.color;
      claims.issued_at = c->now_s - 60;
      claims.expires_at = c->now_s + 3600;
      std::string token = domain::sign_token(claims, c->key);
      auto code = std::make_shared<service::IssuedCode>();
      code->person_id = static_cast<int64_t>(i + 1);
      code->color = green.color;
      code->reasons = green.reasons;
      code->issued_at = claims.issued_at;
      code->expires_at = claims.expires_at;
      code->rule_set_version = green.rule_set_version;
      c->issued->remember(token, std::move(code));
      c->tokens.push_back(std::move(token));
    }
    return c;
  }();
  return *c;
}

// The facts of an entrance scan with a normal temperature and a mask.
domain::ScanFacts entrance_facts() {
  domain::ScanFacts f;
  f.direction = "in";
  f.temperature_c = 36.5;
  f.mask = true;
  return f;
}

// Runs one scan per iteration, cycling through the codes; every one must pass.
template <class Scan>
void run_scans(benchmark::State& state, Scan scan) {
  const Codes& c = codes();
  size_t i = 0, passed = 0;
  for (auto _ : state) {
    domain::ScanDecision d = scan(c, c.tokens[i++ % c.tokens.size()]);
    passed += d.pass;
    benchmark::DoNotOptimize(d);
  }
  if (passed != static_cast<size_t>(state.iterations())) state.SkipWithError("a valid code was stopped");
  state.SetItemsProcessed(state.iterations());
}

void ScanForeignCode(benchmark::State& state) {
  run_scans(state, [](const Codes& c, const std::string& token) {
    domain::TokenCheck check = domain::verify_token(token, c.public_keys, c.now_s);
    domain::ScanFacts facts = entrance_facts();
    facts.token_problem = check.problem;
    facts.person_known = static_cast<bool>(check);
    facts.color = check.claims.color;
    return domain::decide(facts, c.policy);
  });
}

void ScanIssuedCode(benchmark::State& state) {
  run_scans(state, [](const Codes& c, const std::string& token) {
    std::shared_ptr<const service::IssuedCode> code = c.issued->find(token);
    domain::ScanFacts facts = entrance_facts();
    if (code) {
      domain::TokenClaims claims;
      claims.issued_at = code->issued_at;
      claims.expires_at = code->expires_at;
      facts.token_problem = domain::check_window(claims, c.now_s);
      facts.person_known = facts.token_problem == domain::TokenProblem::kNone;
      facts.color = code->color;
      facts.code_reasons = code->reasons;
    }
    for (const auto& r : facts.code_reasons) facts.travel_flag = facts.travel_flag || r.code == "travel_risk_area";
    return domain::decide(facts, c.policy);
  });
}

void Ed25519Verify100(benchmark::State& state) {
  crypto::init();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
  unsigned char message[100];
  crypto_sign_keypair(pk, sk);
  randombytes_buf(message, sizeof message);
  crypto_sign_detached(sig, nullptr, message, sizeof message, sk);
  size_t valid = 0;
  for (auto _ : state) {
    valid += crypto_sign_verify_detached(sig, message, sizeof message, pk) == 0;
    benchmark::ClobberMemory();
  }
  if (valid != static_cast<size_t>(state.iterations())) state.SkipWithError("the signature did not verify");
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(ScanForeignCode);
BENCHMARK(ScanIssuedCode);
BENCHMARK(Ed25519Verify100);
