// A migrated SQLite database seeded with the demo city, and an AuthService on
// it, for service tests.
#pragma once
#include "../test_support.h"
#include "service/services.h"

namespace epinet::testing {

constexpr const char* kDemoPassword = "demo-Passw0rd";

class DemoCityTest : public ::testing::Test {
 protected:
  explicit DemoCityTest(std::map<std::string, std::string> settings = {}, bool seed = true)
      : config_(test_config(dir_.path(), std::move(settings))), db_(open_migrated_sqlite(dir_.path())) {
    config_.demo_password = kDemoPassword;
    if (seed) first_seed_ = service::seed_demo(*db_, config_);
  }

  store::User user(const std::string& username) {
    std::optional<store::User> u;
    db_->read([&](store::Connection& c) { u = store::find_user_by_username(c, username); });
    if (!u) throw std::runtime_error("no user " + username);
    return *u;
  }
  service::Caller caller(const std::string& username) { return {service::principal_of(user(username)), "10.1.1.1"}; }

  TempDir dir_;
  Config config_;
  std::unique_ptr<store::Database> db_;
  service::SeedReport first_seed_;
};

}  // namespace epinet::testing
