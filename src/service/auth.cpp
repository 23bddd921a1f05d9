#include <boost/json.hpp>

#include "core/crypto.h"
#include "core/error.h"
#include "service/services.h"

namespace epinet::service {
namespace {
constexpr Millis kCacheMs = 5000;  // how long a token → principal answer is reused
}

store::AuditEntry audit_entry(const Caller& caller, const std::string& action, const std::string& record_type,
                              const std::string& record_id, const std::string& detail_json) {
  store::AuditEntry e;
  e.at = now_ms();
  if (caller.who.user_id) e.actor_id = caller.who.user_id;
  e.actor_username = caller.who.username;
  e.action = action;
  e.record_type = record_type;
  e.record_id = record_id;
  e.client_addr = caller.client_addr;
  e.detail = detail_json;
  return e;
}

void audit(store::Connection& c, const Caller& caller, const std::string& action, const std::string& record_type,
           const std::string& record_id, const std::string& detail_json) {
  store::append_audit(c, audit_entry(caller, action, record_type, record_id, detail_json));
}

void require_within(const Caller& caller, const domain::Scope& scope) {
  if (!domain::within_jurisdiction(caller.who, scope))
    throw forbidden("this record lies outside your jurisdiction");
}

store::Person must_find_person(store::Connection& c, int64_t id) {
  auto p = store::find_person(c, id);
  if (!p) throw not_found("person");
  return *p;
}

store::Division must_find_division(store::Connection& c, int64_t id) {
  auto d = store::find_division(c, id);
  if (!d) throw not_found("division");
  return *d;
}

domain::Principal principal_of(const store::User& u) {
  domain::Principal p;
  p.user_id = u.id;
  p.username = u.username;
  p.role = domain::parse_role(u.role).value_or(domain::Role::kResident);
  p.division_id = u.division_id;
  p.division_path = u.division_path;
  p.venue_id = u.venue_id;
  return p;
}

void check_password_policy(const std::string& password) {
  if (password.size() < 8 || password.size() > 128)
    throw invalid("weak_password", "a password needs 8 to 128 characters");
}

int AuthService::retry_after_s(const std::string& key, Millis now) {
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  Millis window = config_.login_window_s * 1000LL;
  if (now - it->second.window_start >= window) {
    failures_.erase(it);
    return 0;
  }
  int limit = key[0] == 'a' ? config_.login_max_failures * 4 : config_.login_max_failures;
  if (it->second.count < limit) return 0;
  return static_cast<int>((it->second.window_start + window - now + 999) / 1000);
}

void AuthService::note_failure(const std::string& key, Millis now) {
  auto& f = failures_[key];
  if (f.count == 0 || now - f.window_start >= config_.login_window_s * 1000LL) {
    f.count = 0;
    f.window_start = now;
  }
  ++f.count;
}

LoginResult AuthService::login(const std::string& username, const std::string& password,
                               const std::string& client_addr) {
  Millis now = now_ms();
  const std::string ukey = "u:" + username, akey = "a:" + client_addr;
  {
    std::lock_guard lock(mu_);
    int wait = std::max(retry_after_s(ukey, now), retry_after_s(akey, now));
    if (wait > 0) {
      Error e(ErrorKind::kTooMany, "too_many_attempts",
              "too many failed logins; try again in " + std::to_string(wait) + " s");
      e.retry_after_s = wait;
      throw e;
    }
  }
  std::optional<store::User> user;
  db_.read([&](store::Connection& c) { user = store::find_user_by_username(c, username); });
  // Verify against a dummy hash when the user is unknown, so that timing does
  // not tell which usernames exist.
  static const std::string dummy = crypto::hash_password("epinet-dummy-password");
  bool ok = crypto::verify_password(user ? user->password_hash : dummy, password) && user && !user->disabled;
  Caller caller{user ? principal_of(*user) : domain::Principal{}, client_addr};
  if (!ok) {
    {
      std::lock_guard lock(mu_);
      note_failure(ukey, now);
      note_failure(akey, now);
    }
    caller.who.username = username;
    db_.write([&](store::Connection& c) {
      audit(c, caller, "auth.login_failed", "user", user ? std::to_string(user->id) : "",
            user && user->disabled ? R"({"reason":"disabled"})" : "");
    });
    throw Error(ErrorKind::kUnauthenticated, "invalid_credentials", "wrong username or password");
  }
  {
    std::lock_guard lock(mu_);
    failures_.erase(ukey);
  }
  LoginResult r;
  r.token = crypto::random_token(32);
  r.expires_at = now + config_.session_ttl_hours * 3600LL * 1000;
  r.user = *user;
  db_.write([&](store::Connection& c) {
    store::purge_expired_sessions(c, now);
    store::insert_session(c, crypto::sha256_hex(r.token), user->id, now, r.expires_at, client_addr);
    audit(c, caller, "auth.login", "user", std::to_string(user->id));
  });
  return r;
}

void AuthService::logout(const std::string& token, const Caller& caller) {
  std::string h = crypto::sha256_hex(token);
  {
    std::lock_guard lock(mu_);
    cache_.erase(h);
  }
  db_.write([&](store::Connection& c) {
    store::delete_session(c, h);
    audit(c, caller, "auth.logout", "user", std::to_string(caller.who.user_id));
  });
}

std::optional<domain::Principal> AuthService::authenticate(const std::string& token) {
  if (token.empty() || token.size() > 200) return std::nullopt;
  std::string h = crypto::sha256_hex(token);
  Millis now = now_ms();
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(h);
    if (it != cache_.end() && it->second.until > now) return it->second.who;
    generation = generation_;
  }
  std::optional<store::User> user;
  db_.read([&](store::Connection& c) { user = store::find_session_user(c, h, now); });
  if (!user || user->disabled) return std::nullopt;
  auto p = principal_of(*user);
  std::lock_guard lock(mu_);
  if (generation != generation_) return p;  // an account changed meanwhile: answer, don't cache
  if (cache_.size() > 100000) cache_.clear();
  cache_[h] = Cached{p, now + kCacheMs};
  return p;
}

void AuthService::forget_user(int64_t user_id) {
  std::lock_guard lock(mu_);
  ++generation_;
  std::erase_if(cache_, [&](const auto& kv) { return kv.second.who.user_id == user_id; });
}

store::PageOf<store::AuditEntry> list_audit(store::Database& db, const store::AuditFilter& f, const store::Page& p) {
  store::PageOf<store::AuditEntry> out;
  db.read([&](store::Connection& c) { out = store::list_audit(c, f, p); });
  return out;
}

}  // namespace epinet::service
