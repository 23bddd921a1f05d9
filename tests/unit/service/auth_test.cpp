#include <gtest/gtest.h>

#include "core/crypto.h"
#include "core/error.h"
#include "service_test_support.h"

namespace epinet::service {
namespace {

using epinet::testing::kDemoPassword;

class AuthTest : public epinet::testing::DemoCityTest {
 protected:
  explicit AuthTest(std::map<std::string, std::string> settings = {})
      : DemoCityTest(std::move(settings)), auth_(*db_, config_) {}

  // The kind of the epinet::Error that login throws, or nullopt on success.
  std::optional<Error> login_error(const std::string& username, const std::string& password,
                                   const std::string& addr = "10.0.0.1") {
    try {
      auth_.login(username, password, addr);
      return std::nullopt;
    } catch (const Error& e) {
      return e;
    }
  }

  AuthService auth_;
};

TEST_F(AuthTest, LoginGivesATokenThatAuthenticates) {
  LoginResult r = auth_.login("community_worker", kDemoPassword, "10.0.0.1");
  EXPECT_EQ(r.user.username, "community_worker");
  EXPECT_GT(r.expires_at, now_ms() + (config_.session_ttl_hours * 3600LL - 60) * 1000);
  auto who = auth_.authenticate(r.token);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->username, "community_worker");
  EXPECT_EQ(who->role, domain::Role::kCommunityWorker);
  EXPECT_EQ(who->division_path, user("community_worker").division_path);
  EXPECT_FALSE(auth_.authenticate(r.token + "x"));
  EXPECT_FALSE(auth_.authenticate(""));
}

TEST_F(AuthTest, TheStoreKeepsOnlyTheTokensHash) {
  LoginResult r = auth_.login("admin", kDemoPassword, "10.0.0.1");
  db_->read([&](store::Connection& c) {
    auto rows = c.query("SELECT token_hash FROM sessions").rows;
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(store::as_text(rows[0][0]), crypto::sha256_hex(r.token));
  });
}

TEST_F(AuthTest, WrongPasswordAndUnknownUserFailAlikeAndAreAudited) {
  auto wrong = login_error("admin", "wrong-password");
  auto unknown = login_error("no_such_user", "wrong-password");
  ASSERT_TRUE(wrong);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(wrong->kind(), ErrorKind::kUnauthenticated);
  EXPECT_EQ(unknown->kind(), ErrorKind::kUnauthenticated);
  EXPECT_EQ(std::string(wrong->what()), unknown->what());
  auto failed = list_audit(*db_, {.action = "auth.login_failed"}, {});
  EXPECT_EQ(failed.total, 2);
}

TEST_F(AuthTest, SessionPastItsExpiryDoesNotAuthenticate) {
  int64_t id = user("admin").id;
  Millis now = now_ms();
  db_->write([&](store::Connection& c) {
    store::insert_session(c, crypto::sha256_hex("expired-token"), id, now - 10000, now - 1, "");
    store::insert_session(c, crypto::sha256_hex("live-token"), id, now, now + 60000, "");
  });
  EXPECT_FALSE(auth_.authenticate("expired-token"));
  EXPECT_TRUE(auth_.authenticate("live-token"));
}

TEST_F(AuthTest, LogoutEndsTheSessionAtOnce) {
  LoginResult r = auth_.login("commander", kDemoPassword, "10.0.0.1");
  auto who = auth_.authenticate(r.token);  // now cached
  ASSERT_TRUE(who);
  auth_.logout(r.token, Caller{*who, "10.0.0.1"});
  EXPECT_FALSE(auth_.authenticate(r.token));
}

TEST_F(AuthTest, DisabledUserCannotLogIn) {
  db_->write([&](store::Connection& c) {
    auto u = *store::find_user_by_username(c, "lab");
    u.disabled = true;
    store::update_user(c, u, now_ms());
  });
  auto e = login_error("lab", kDemoPassword);
  ASSERT_TRUE(e) << "a disabled account signed in";
  EXPECT_EQ(e->kind(), ErrorKind::kUnauthenticated);
  auto failed = list_audit(*db_, {.actor = "lab", .action = "auth.login_failed"}, {});
  ASSERT_EQ(failed.total, 1);
  EXPECT_EQ(failed.items[0].detail, R"({"reason":"disabled"})");
}

TEST_F(AuthTest, DisablingAUserEndsItsSessionsAtOnce) {
  LoginResult r = auth_.login("commander", kDemoPassword, "10.0.0.1");
  ASSERT_TRUE(auth_.authenticate(r.token));  // primes the token cache
  UserPatch p;
  p.disabled = true;
  store::User updated = update_user(*db_, auth_, caller("admin"), r.user.id, p);
  EXPECT_TRUE(updated.disabled);
  EXPECT_FALSE(auth_.authenticate(r.token)) << "the old token still works after the account was disabled";
}

TEST_F(AuthTest, ChangingARoleEndsItsSessions) {
  LoginResult r = auth_.login("commander", kDemoPassword, "10.0.0.1");
  ASSERT_TRUE(auth_.authenticate(r.token));
  UserPatch p;
  p.role = "resident";
  update_user(*db_, auth_, caller("admin"), r.user.id, p);
  EXPECT_FALSE(auth_.authenticate(r.token)) << "a session keeps the powers of a role the account no longer has";
}

TEST_F(AuthTest, RenamingAUserKeepsItsSessions) {
  LoginResult r = auth_.login("commander", kDemoPassword, "10.0.0.1");
  UserPatch p;
  p.display_name = "新的值班员";
  update_user(*db_, auth_, caller("admin"), r.user.id, p);
  EXPECT_TRUE(auth_.authenticate(r.token));
}

TEST_F(AuthTest, AdminCannotDisableItself) {
  UserPatch p;
  p.disabled = true;
  try {
    update_user(*db_, auth_, caller("admin"), user("admin").id, p);
    FAIL() << "the admin locked itself out";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConflict);
  }
  EXPECT_FALSE(user("admin").disabled);
}

class ThrottleTest : public AuthTest {
 protected:
  ThrottleTest() : AuthTest({{"EPINET_LOGIN_MAX_FAILURES", "3"}}) {}
};

TEST_F(ThrottleTest, AfterMaxFailuresEvenTheRightPasswordIsRefusedForAWhile) {
  for (int i = 0; i < 3; ++i) {
    auto e = login_error("admin", "wrong-password");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind(), ErrorKind::kUnauthenticated) << "attempt " << i + 1;
  }
  auto e = login_error("admin", kDemoPassword);
  ASSERT_TRUE(e) << "the right password was let through while throttled";
  EXPECT_EQ(e->kind(), ErrorKind::kTooMany);
  EXPECT_GT(e->retry_after_s, 0);
  EXPECT_LE(e->retry_after_s, config_.login_window_s);
}

TEST_F(ThrottleTest, ThrottlingOneUsernameLeavesOthersAlone) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(login_error("admin", "wrong-password"));
  EXPECT_FALSE(login_error("commander", kDemoPassword)) << "another account from the same address";
}

TEST_F(ThrottleTest, SuccessfulLoginResetsTheCount) {
  ASSERT_TRUE(login_error("admin", "wrong-password"));
  ASSERT_TRUE(login_error("admin", "wrong-password"));
  ASSERT_FALSE(login_error("admin", kDemoPassword));
  ASSERT_TRUE(login_error("admin", "wrong-password"));
  auto e = login_error("admin", kDemoPassword);
  EXPECT_FALSE(e) << "two failures after a success are not three: " << (e ? e->what() : "");
}

}  // namespace
}  // namespace epinet::service
