// Shared helpers for unit tests: temporary folders, scoped environment
// variables, and a migrated SQLite database in a temporary folder.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/crypto.h"
#include "core/error.h"
#include "store/database.h"
#include "store/migrations.h"

namespace epinet::testing {

// EXPECT_TRUE(Contains(text, part)) reports both strings when it fails.
inline ::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

// The message of the epinet::Error that fn throws (fails the test otherwise).
template <class F>
inline std::string error_message(F&& fn, ErrorKind expected_kind = ErrorKind::kInvalid) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), expected_kind) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a std::exception that is not epinet::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "did not throw";
  return "";
}

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "epinet-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Sets (or, with nullopt, unsets) environment variables for one scope and
// restores what was there before.
class ScopedEnv {
 public:
  ScopedEnv() = default;
  ScopedEnv(std::initializer_list<std::pair<const std::string, std::optional<std::string>>> vars) {
    for (const auto& [k, v] : vars) set(k, v);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second)
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      else
        ::unsetenv(it->first.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

  void set(const std::string& key, const std::optional<std::string>& value) {
    const char* old = std::getenv(key.c_str());
    saved_.emplace_back(key, old ? std::optional<std::string>(old) : std::nullopt);
    if (value)
      ::setenv(key.c_str(), value->c_str(), 1);
    else
      ::unsetenv(key.c_str());
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// Every EPINET_* variable the defaults file knows, unset for the scope, so
// that a developer's shell does not leak into a test.
inline std::unique_ptr<ScopedEnv> clean_epinet_env() {
  auto env = std::make_unique<ScopedEnv>();
  for (const auto& [k, v] : parse_settings(kDefaultsFile, "defaults")) env->set(k, std::nullopt);
  env->set("EPINET_CONFIG", std::nullopt);
  return env;
}

// A configuration whose data, database and (absent) web UI live in `dir`.
inline Config test_config(const std::string& dir, std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> o{{"EPINET_DATA_DIR", dir},
                                       {"EPINET_DATABASE_URL", "sqlite:" + dir + "/t.db"},
                                       {"EPINET_WEB_DIR", dir + "/nowhere"}};
  for (auto& [k, v] : extra) o[k] = v;
  auto env = clean_epinet_env();  // hermetic: the developer's EPINET_* variables do not apply
  return load_config(o);
}

// A migrated SQLite database in `dir`.
inline std::unique_ptr<store::Database> open_migrated_sqlite(const std::string& dir) {
  crypto::init();
  store::OpenOptions o;
  o.pool_size = 4;
  o.sqlite_synchronous = "NORMAL";  // tests need no power-loss durability
  auto db = store::open_database("sqlite:" + dir + "/t.db", o);
  store::migrate(*db);
  return db;
}

// Fixture: a fresh migrated SQLite database per test.
class SqliteTest : public ::testing::Test {
 protected:
  SqliteTest() : db_(open_migrated_sqlite(dir_.path())) {}

  // Runs fn in a write transaction and returns its result.
  template <class F>
  auto write(F&& fn) {
    using R = decltype(fn(std::declval<store::Connection&>()));
    if constexpr (std::is_void_v<R>) {
      db_->write([&](store::Connection& c) { fn(c); });
    } else {
      std::optional<R> out;
      db_->write([&](store::Connection& c) { out.emplace(fn(c)); });
      return std::move(*out);
    }
  }
  template <class F>
  auto read(F&& fn) {
    using R = decltype(fn(std::declval<store::Connection&>()));
    if constexpr (std::is_void_v<R>) {
      db_->read([&](store::Connection& c) { fn(c); });
    } else {
      std::optional<R> out;
      db_->read([&](store::Connection& c) { out.emplace(fn(c)); });
      return std::move(*out);
    }
  }

  TempDir dir_;
  std::unique_ptr<store::Database> db_;
};

}  // namespace epinet::testing
