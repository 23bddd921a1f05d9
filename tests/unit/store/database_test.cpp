#include "store/database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../test_support.h"
#include "core/error.h"
#include "store/migrations.h"
#include "store/records.h"

namespace epinet::store {
namespace {

using epinet::testing::SqliteTest;
using epinet::testing::TempDir;

int64_t count_divisions(Database& db) {
  int64_t n = 0;
  db.read([&](Connection& c) { n = as_int(c.query("SELECT COUNT(*) FROM divisions").rows[0][0]); });
  return n;
}

Division city(const std::string& name, std::optional<std::string> code = std::nullopt) {
  Division d;
  d.name = name;
  d.level = "city";
  d.code = std::move(code);
  return d;
}

class DatabaseTest : public SqliteTest {};

TEST_F(DatabaseTest, DescribesItselfAsSqlite) {
  EXPECT_EQ(db_->dialect(), Dialect::kSqlite);
  EXPECT_EQ(db_->describe(), "sqlite:" + dir_.file("t.db"));
}

TEST_F(DatabaseTest, WriteCommitsWhenTheFunctionReturns) {
  db_->write([](Connection& c) { insert_division(c, city("a"), 1); });
  EXPECT_EQ(count_divisions(*db_), 1);
  // Visible to a second pool on the same file: it is on disk, not in a cache.
  auto other = open_database("sqlite:" + dir_.file("t.db"), {});
  EXPECT_EQ(count_divisions(*other), 1);
}

TEST_F(DatabaseTest, WriteRollsBackEverythingWhenTheFunctionThrows) {
  struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
  };
  EXPECT_THROW(db_->write([](Connection& c) {
    insert_division(c, city("a"), 1);
    insert_division(c, city("b"), 1);
    throw Boom();
  }),
               Boom)
      << "the function's own exception comes back unchanged";
  EXPECT_EQ(count_divisions(*db_), 0) << "nothing of a failed transaction is persisted";
}

TEST_F(DatabaseTest, WriteRollsBackWhenAStatementFails) {
  db_->write([](Connection& c) { insert_division(c, city("taken", "140700"), 1); });
  try {
    db_->write([](Connection& c) {
      insert_division(c, city("first"), 1);
      insert_division(c, city("dup", "140700"), 1);  // unique code: fails
    });
    FAIL() << "a duplicate code was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConflict);
  }
  EXPECT_EQ(count_divisions(*db_), 1) << "'first' was rolled back with the failing statement";
}

TEST_F(DatabaseTest, DatabaseStaysUsableAfterManyFailedWrites) {
  for (int i = 0; i < 20; ++i)
    EXPECT_THROW(db_->write([](Connection& c) {
      insert_division(c, city("x"), 1);
      c.query("SELECT * FROM no_such_table");
    }),
                 Error);
  db_->write([](Connection& c) { insert_division(c, city("ok"), 1); });
  EXPECT_EQ(count_divisions(*db_), 1);
}

TEST_F(DatabaseTest, QueryReturnsTypedValuesAndNull) {
  db_->read([](Connection& c) {
    auto r = c.query("SELECT 42 AS i, 2.5 AS d, 'text' AS s, NULL AS n, ? AS p", {std::string("晋中")});
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.columns, (std::vector<std::string>{"i", "d", "s", "n", "p"}));
    EXPECT_EQ(as_int(r.rows[0][r.col("i")]), 42);
    EXPECT_DOUBLE_EQ(as_double(r.rows[0][r.col("d")]), 2.5);
    EXPECT_EQ(as_text(r.rows[0][r.col("s")]), "text");
    EXPECT_TRUE(is_null(r.rows[0][r.col("n")]));
    EXPECT_EQ(as_opt_int(r.rows[0][r.col("n")]), std::nullopt);
    EXPECT_EQ(as_text(r.rows[0][r.col("p")]), "晋中");
    EXPECT_THROW(r.col("missing"), Error);
  });
}

TEST_F(DatabaseTest, AffectedCountsChangedRows) {
  db_->write([](Connection& c) {
    insert_division(c, city("a"), 1);
    insert_division(c, city("b"), 1);
    EXPECT_EQ(c.query("UPDATE divisions SET name_en = 'x'").affected, 2);
    EXPECT_EQ(c.query("UPDATE divisions SET name_en = 'y' WHERE name = 'a'").affected, 1);
  });
}

TEST_F(DatabaseTest, ConcurrentWritersAllSucceed) {
  constexpr int kThreads = 4, kEach = 15;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        try {
          db_->write([&](Connection& c) { insert_division(c, city(std::to_string(t) + "-" + std::to_string(i)), 1); });
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0) << "writers wait for the lock instead of failing";
  EXPECT_EQ(count_divisions(*db_), kThreads * kEach);
}

// A writer that commits and begins again at once (a large trace job saving
// in many transactions) must not keep another writer (the check-in writer)
// waiting for more than the transaction it is in: writers take turns in the
// order they asked.
TEST_F(DatabaseTest, AWriterWaitsForOneTransactionOfABusyWriterNotForAllOfThem) {
  db_->write([&](Connection& c) { c.exec_script("CREATE TABLE busy (n INTEGER)"); });
  constexpr int kBusy = 150;
  std::atomic<int> committed{0};
  std::atomic<bool> started{false};
  std::thread busy([&] {
    for (int i = 0; i < kBusy; ++i) {
      db_->write([&](Connection& c) {
        started = true;
        c.query("INSERT INTO busy (n) VALUES (?)", {int64_t{i}});
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a transaction that takes a while
      });
      ++committed;
    }
  });
  while (!started) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const int before = committed.load();
  int during = -1;
  db_->write([&](Connection& c) {
    during = committed.load() - before;
    c.query("INSERT INTO busy (n) VALUES (-1)");
  });
  busy.join();
  EXPECT_LE(during, 2) << "the busy writer committed " << during << " transactions while the other waited";
  int64_t rows = 0;
  db_->read([&](Connection& c) { rows = as_int(c.query("SELECT COUNT(*) FROM busy").rows[0][0]); });
  EXPECT_EQ(rows, kBusy + 1);
}

TEST(Pool, NeverOpensMoreThanPoolSizeConnections) {
  // store/database.h: "`pool_size` connections at most". With a pool of one,
  // a second reader must wait until the first gives its connection back.
  TempDir dir;
  OpenOptions o;
  o.pool_size = 1;
  auto db = open_database("sqlite:" + dir.file("p.db"), o);
  std::atomic<bool> first_holding{false};
  std::atomic<int64_t> first_released_at{0}, second_got_at{0};
  std::thread first([&] {
    db->read([&](Connection&) {
      first_holding = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      first_released_at = now_ms();
    });
  });
  while (!first_holding) std::this_thread::yield();
  db->read([&](Connection&) { second_got_at = now_ms(); });
  first.join();
  EXPECT_GE(second_got_at.load(), first_released_at.load())
      << "a second connection was opened while the only one allowed was in use";
}

TEST(Migrate, TwoMigratorsAtOnceApplyEachMigrationOnce) {
  TempDir dir;
  auto a = open_database("sqlite:" + dir.file("m.db"), {});
  auto b = open_database("sqlite:" + dir.file("m.db"), {});
  std::vector<int> applied_a, applied_b;
  std::thread ta([&] { applied_a = migrate(*a); });
  std::thread tb([&] { applied_b = migrate(*b); });
  ta.join();
  tb.join();
  EXPECT_EQ(applied_a.size() + applied_b.size(), embedded_migrations().size());
  EXPECT_EQ(schema_version(*a), embedded_migrations().back().version);
}

// Whether pred holds within 10 s (the checkpoints run on their own thread).
template <class P>
bool eventually(P pred) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The write-ahead log is copied into the database file while the process
// runs, instead of growing until the last connection closes (it did: the checkpoint thread's connection had
// never read the database, so SQLite did not know it was in WAL mode and
// every checkpoint did nothing — `epinet sim --load` of a 200,000-person
// city grew a 9 GB log and a 700 KB database file).
TEST(SqliteCheckpoints, TheLogIsCopiedIntoTheDatabaseFileWhileTheProcessRuns) {
  TempDir dir;
  auto db = open_database("sqlite:" + dir.file("t.db"), {});
  db->write([](Connection& c) { c.exec_script("CREATE TABLE t (x BLOB)"); });
  // 8 MB a round: 2,000 pages, more than the 1,000 that wake the checkpoint thread.
  auto round = [&] {
    for (int i = 0; i < 8; ++i)
      db->write([](Connection& c) {
        c.exec_script(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250) "
            "INSERT INTO t SELECT randomblob(4000) FROM n");
      });
  };
  auto size = [&](const std::string& name) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(dir.file(name), ec);
    return ec ? uintmax_t{0} : n;
  };
  // The database's size as SQLite sees it (the log included): the file's once every page is copied.
  auto logical = [&] {
    int64_t n = 0;
    db->read([&](Connection& c) {
      n = as_int(c.query("PRAGMA page_count").rows[0][0]) * as_int(c.query("PRAGMA page_size").rows[0][0]);
    });
    return static_cast<uintmax_t>(n);
  };
  round();
  EXPECT_TRUE(eventually([&] { return size("t.db") == logical(); }))
      << "the log was not checkpointed: database file " << size("t.db") << " bytes of " << logical() << ", log "
      << size("t.db-wal");
  // And again: the checkpoints go on (SQLite starts the log over when a write
  // finds everything copied; when exactly depends on the threads' timing).
  round();
  EXPECT_TRUE(eventually([&] { return size("t.db") == logical(); }));
}

// Under writes that never pause, the checkpoint thread trails the newest
// commit and the log would never start over: it grew by gigabytes during
// `epinet sim --load`. The committer finishes the checkpoint once the log
// is twice the checkpoint size, so it stays bounded.
TEST(SqliteCheckpoints, TheLogStaysBoundedUnderWritesThatNeverPause) {
  TempDir dir;
  OpenOptions o;
  o.sqlite_checkpoint_pages = 256;  // 1 MiB: checkpoint from 256 pages, the committer's from 512
  auto db = open_database("sqlite:" + dir.file("t.db"), o);
  db->write([](Connection& c) { c.exec_script("CREATE TABLE t (k INTEGER PRIMARY KEY, x BLOB)"); });
  uintmax_t largest = 0;
  for (int i = 0; i < 400; ++i) {  // ~40 MB, a transaction of ~100 KB after another
    db->write([&](Connection& c) {
      c.query(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25) "
          "INSERT INTO t (x) SELECT randomblob(4000) FROM n");
      // Rewrites pages all over the table, as an index's inserts do.
      c.query("UPDATE t SET x = randomblob(4000) WHERE k % 97 = ?", {int64_t{i % 97}});
    });
    std::error_code ec;
    largest = std::max(largest, std::filesystem::file_size(dir.file("t.db-wal"), ec));
  }
  // ~40 MB written: without the committer's step the log held all of it and more (130 MB). With it, but
  // skipped whenever the thread's checkpoint was running, the log reached 4-6 MB on a loaded machine and
  // 28 MB under the sanitizers. Waiting for the thread's checkpoint, it starts over at twice the checkpoint
  // size and one transaction more (2.6 MB, whatever the load).
  EXPECT_LT(largest, 4u << 20) << "the log grew to " << largest << " bytes for a 1 MiB checkpoint size";
}

TEST(OpenDatabase, UnknownSchemeIsInvalid) {
  try {
    open_database("mysql://localhost/epinet", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalid);
  }
}

TEST(OpenDatabase, CreatesMissingFolders) {
  TempDir dir;
  auto db = open_database("sqlite:" + dir.file("a/b/c.db"), {});
  EXPECT_TRUE(std::filesystem::exists(dir.file("a/b/c.db")));
}

TEST(OpenDatabase, UnopenableSqlitePathIsUnavailable) {
  // The contract (store/database.h): Error(kUnavailable) when the database
  // cannot be opened, so that the CLI and HTTP layer report it properly.
  TempDir dir;
  std::ofstream(dir.file("plain-file")) << "not a folder";
  try {
    open_database("sqlite:" + dir.file("plain-file/epinet.db"), {});
    FAIL() << "opened a database below a regular file";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnavailable) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-epinet exception: " << e.what();
  }
}

TEST(OpenDatabase, FileThatIsNotADatabaseIsReportedAsAnEpinetError) {
  TempDir dir;
  std::ofstream(dir.file("junk.db")) << std::string(4096, 'x');
  try {
    auto db = open_database("sqlite:" + dir.file("junk.db"), {});
    migrate(*db);
    FAIL() << "used a file that is not a database";
  } catch (const Error& e) {
    SUCCEED() << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-epinet exception: " << e.what();
  }
}

TEST(OpenDatabase, AFileThatIsNotADatabaseLeavesNoFileOpen) {
  // A server pointed at the wrong file retries or exits; it must not keep the file open each time.
  TempDir dir;
  std::ofstream(dir.file("junk.db")) << std::string(4096, 'x');
  auto open_files = [] {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
  };
  const size_t before = open_files();
  for (int i = 0; i < 10; ++i) {
    try {
      auto db = open_database("sqlite:" + dir.file("junk.db"), {});
      migrate(*db);
      ADD_FAILURE() << "used a file that is not a database";
    } catch (const Error&) {
    }
  }
  EXPECT_EQ(open_files(), before);
}

}  // namespace
}  // namespace epinet::store
