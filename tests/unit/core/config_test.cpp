#include "core/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../test_support.h"
#include "core/error.h"

namespace epinet {
namespace {

using epinet::testing::Contains;
using epinet::testing::error_message;
using epinet::testing::ScopedEnv;
using epinet::testing::TempDir;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

class ConfigTest : public ::testing::Test {
 protected:
  std::unique_ptr<ScopedEnv> env_ = testing::clean_epinet_env();
  TempDir dir_;
};

// ---- parse_settings

TEST(ParseSettings, ReadsKeyValueLinesSkippingCommentsAndBlankLines) {
  auto m = parse_settings(
      "# a comment\n"
      "\n"
      "   \n"
      "A=1\n"
      "  # an indented comment\n"
      "  B = two words  \n"
      "C=\n"
      "D=x=y\n",
      "test");
  EXPECT_EQ(m, (std::map<std::string, std::string>{{"A", "1"}, {"B", "two words"}, {"C", ""}, {"D", "x=y"}}));
}

TEST(ParseSettings, AcceptsWindowsLineEndings) {
  auto m = parse_settings("A=1\r\nB=2\r\n", "test");
  EXPECT_EQ(m.at("A"), "1");
  EXPECT_EQ(m.at("B"), "2");
}

TEST(ParseSettings, MalformedLineNamesOriginAndLineNumber) {
  std::string msg = error_message([] { parse_settings("# header\n\nA=1\nthis line has no equals sign\n", "my.env"); });
  EXPECT_TRUE(Contains(msg, "my.env:4"));
}

TEST(ParseSettings, LineWithoutKeyIsMalformed) {
  std::string msg = error_message([] { parse_settings("A=1\n=value\n", "f.env"); });
  EXPECT_TRUE(Contains(msg, "f.env:2"));
}

TEST(ParseSettings, EmptyTextGivesNoSettings) { EXPECT_TRUE(parse_settings("", "x").empty()); }

// ---- load_config

TEST_F(ConfigTest, DefaultsAreTheDocumentedOnes) {
  Config c = load_config({});
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.data_dir, "data");
  EXPECT_EQ(c.database_url, "sqlite:data/epinet.db");
  EXPECT_EQ(c.session_ttl_hours, 12);
  EXPECT_EQ(c.login_max_failures, 5);
  EXPECT_EQ(c.login_window_s, 900);
  EXPECT_EQ(c.sqlite_synchronous, "FULL");
  EXPECT_EQ(c.max_body_bytes, 1048576u);
  EXPECT_GE(c.threads, 1) << "EPINET_THREADS=0 means one per core, never zero threads";
  EXPECT_FALSE(c.web_dir.empty()) << "an empty EPINET_WEB_DIR falls back to the source tree's web/dist";
}

TEST_F(ConfigTest, PrecedenceIsDefaultsThenFileThenEnvironmentThenOverrides) {
  std::string file = dir_.file("epinet.env");
  write_file(file,
             "# site settings\n"
             "EPINET_SESSION_TTL_HOURS=10\n"
             "EPINET_LOGIN_WINDOW_S=60\n"
             "EPINET_LOGIN_MAX_FAILURES=7\n");
  ScopedEnv env{{"EPINET_LOGIN_WINDOW_S", "120"}, {"EPINET_LOGIN_MAX_FAILURES", "8"}};
  Config c = load_config({{"EPINET_LOGIN_MAX_FAILURES", "9"}}, file);
  EXPECT_EQ(c.request_timeout_s, 30) << "default kept when nothing overrides it";
  EXPECT_EQ(c.session_ttl_hours, 10) << "config file beats default";
  EXPECT_EQ(c.login_window_s, 120) << "environment beats config file";
  EXPECT_EQ(c.login_max_failures, 9) << "override (flag) beats environment";
  EXPECT_EQ(c.raw.at("EPINET_LOGIN_MAX_FAILURES"), "9");
}

TEST_F(ConfigTest, EpinetConfigVariableNamesTheConfigFile) {
  std::string file = dir_.file("from-env.env");
  write_file(file, "EPINET_LOG_LEVEL=debug\n");
  ScopedEnv env{{"EPINET_CONFIG", file}};
  EXPECT_EQ(load_config({}).log_level, "debug");
}

TEST_F(ConfigTest, MissingConfigFileIsAnError) {
  std::string missing = dir_.file("does-not-exist.env");
  std::string msg = error_message([&] { load_config({}, missing); });
  EXPECT_TRUE(Contains(msg, missing));
}

TEST_F(ConfigTest, DatabaseUrlDefaultFollowsDataDirFromEnvironment) {
  ScopedEnv env{{"EPINET_DATA_DIR", "/srv/epinet"}};
  Config c = load_config({});
  EXPECT_EQ(c.data_dir, "/srv/epinet");
  EXPECT_EQ(c.database_url, "sqlite:/srv/epinet/epinet.db");
}

TEST_F(ConfigTest, DatabaseUrlDefaultFollowsDataDirFromOverrideAndFile) {
  EXPECT_EQ(load_config({{"EPINET_DATA_DIR", "/flag/dir"}}).database_url, "sqlite:/flag/dir/epinet.db");
  std::string file = dir_.file("f.env");
  write_file(file, "EPINET_DATA_DIR=/file/dir\n");
  EXPECT_EQ(load_config({}, file).database_url, "sqlite:/file/dir/epinet.db");
}

TEST_F(ConfigTest, ExplicitDatabaseUrlIsNotReplacedByDataDir) {
  ScopedEnv env{{"EPINET_DATA_DIR", "/srv/epinet"}, {"EPINET_DATABASE_URL", "postgresql://epi@db:5432/epinet"}};
  EXPECT_EQ(load_config({}).database_url, "postgresql://epi@db:5432/epinet");
}

TEST_F(ConfigTest, ExpansionWorksInAnySettingAndFromTheConfigFile) {
  std::string file = dir_.file("f.env");
  write_file(file, "EPINET_DATA_DIR=/var/lib/epinet\nEPINET_WEB_DIR=${EPINET_DATA_DIR}/web\n");
  Config c = load_config({}, file);
  EXPECT_EQ(c.web_dir, "/var/lib/epinet/web");
}

TEST_F(ConfigTest, ReferenceToAnUnknownSettingIsRejected) {
  // ${NAME} expands settings only. An operator who writes ${HOME}/epinet (or
  // misspells a setting) must hear about it, not find the data in /epinet.
  std::string msg = error_message([] { load_config({{"EPINET_DATA_DIR", "${HOME}/epinet"}}); });
  EXPECT_TRUE(Contains(msg, "HOME"));
  msg = error_message([] { load_config({{"EPINET_WEB_DIR", "${EPINET_DATA_DIRR}/web"}}); });
  EXPECT_TRUE(Contains(msg, "EPINET_DATA_DIRR"));
}

TEST_F(ConfigTest, SettingsThatReferToEachOtherInALoopAreRejected) {
  std::string msg = error_message([] {
    load_config({{"EPINET_DATA_DIR", "${EPINET_WEB_DIR}"}, {"EPINET_WEB_DIR", "${EPINET_DATA_DIR}"}});
  });
  EXPECT_TRUE(Contains(msg, "loop"));
}

TEST_F(ConfigTest, UnclosedExpansionIsRejected) {
  std::string msg = error_message([] { load_config({{"EPINET_DATA_DIR", "${EPINET_WEB_DIR"}}); });
  EXPECT_TRUE(Contains(msg, "${"));
}

TEST_F(ConfigTest, ListenWithoutPortIsRejectedNamingTheSetting) {
  ScopedEnv env{{"EPINET_LISTEN", "localhost"}};
  std::string msg = error_message([] { load_config({}); });
  EXPECT_TRUE(Contains(msg, "EPINET_LISTEN"));
  EXPECT_TRUE(Contains(msg, "localhost"));
}

TEST_F(ConfigTest, ListenWithNonNumericOrOutOfRangePortIsRejected) {
  EXPECT_TRUE(Contains(error_message([] { load_config({{"EPINET_LISTEN", "0.0.0.0:http"}}); }), "EPINET_LISTEN"));
  EXPECT_TRUE(Contains(error_message([] { load_config({{"EPINET_LISTEN", "0.0.0.0:65536"}}); }), "EPINET_LISTEN"));
  EXPECT_TRUE(Contains(error_message([] { load_config({{"EPINET_LISTEN", "0.0.0.0:"}}); }), "EPINET_LISTEN"));
}

TEST_F(ConfigTest, ListenAcceptsIpv6HostAndPort) {
  Config c = load_config({{"EPINET_LISTEN", "[::1]:9090"}});
  EXPECT_EQ(c.listen_host, "[::1]");
  EXPECT_EQ(c.listen_port, 9090);
}

TEST_F(ConfigTest, NonNumericThreadsIsRejectedNamingSettingAndValue) {
  ScopedEnv env{{"EPINET_THREADS", "abc"}};
  std::string msg = error_message([] { load_config({}); });
  EXPECT_TRUE(Contains(msg, "EPINET_THREADS"));
  EXPECT_TRUE(Contains(msg, "'abc'"));
}

TEST_F(ConfigTest, NumbersWithTrailingJunkOrOutOfRangeAreRejected) {
  EXPECT_TRUE(Contains(error_message([] { load_config({{"EPINET_THREADS", "4x"}}); }), "EPINET_THREADS"));
  EXPECT_TRUE(Contains(error_message([] { load_config({{"EPINET_THREADS", "-1"}}); }), "EPINET_THREADS"));
  EXPECT_TRUE(Contains(error_message([] {
                         load_config({{"EPINET_SESSION_TTL_HOURS", "0"}});
                       }),
                       "EPINET_SESSION_TTL_HOURS"));
  EXPECT_EQ(load_config({{"EPINET_THREADS", "3"}}).threads, 3);
}

TEST_F(ConfigTest, UnknownKeyInConfigFileIsRejectedNamingKeyAndFile) {
  std::string file = dir_.file("typo.env");
  write_file(file, "EPINET_LISTEN=127.0.0.1:9000\nEPINET_THREDS=4\n");
  std::string msg = error_message([&] { load_config({}, file); });
  EXPECT_TRUE(Contains(msg, "EPINET_THREDS"));
  EXPECT_TRUE(Contains(msg, file));
}

TEST_F(ConfigTest, MalformedConfigFileNamesFileAndLine) {
  std::string file = dir_.file("bad.env");
  write_file(file, "# ok\nEPINET_THREADS 4\n");
  EXPECT_TRUE(Contains(error_message([&] { load_config({}, file); }), file + ":2"));
}

TEST_F(ConfigTest, DatabaseUrlWithUnknownSchemeIsRejected) {
  ScopedEnv env{{"EPINET_DATABASE_URL", "mysql://root@localhost/epinet"}};
  std::string msg = error_message([] { load_config({}); });
  EXPECT_TRUE(Contains(msg, "EPINET_DATABASE_URL"));
}

TEST_F(ConfigTest, PostgresUrlsOfBothSpellingsAreAccepted) {
  EXPECT_EQ(load_config({{"EPINET_DATABASE_URL", "postgres://u@h/db"}}).database_url, "postgres://u@h/db");
  EXPECT_EQ(load_config({{"EPINET_DATABASE_URL", "postgresql://u@h/db"}}).database_url, "postgresql://u@h/db");
}

TEST_F(ConfigTest, UnknownSqliteSynchronousModeIsRejected) {
  EXPECT_TRUE(Contains(error_message([] {
                         load_config({{"EPINET_SQLITE_SYNCHRONOUS", "OFF"}});
                       }),
                       "EPINET_SQLITE_SYNCHRONOUS"));
}

TEST_F(ConfigTest, UnrelatedEnvironmentVariablesAreIgnored) {
  ScopedEnv env{{"EPINET_NOT_A_SETTING", "x"}};
  Config c = load_config({});
  EXPECT_EQ(c.raw.count("EPINET_NOT_A_SETTING"), 0u);
}

}  // namespace
}  // namespace epinet
