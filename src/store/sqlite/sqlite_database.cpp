// SQLite adapter: WAL, BEGIN IMMEDIATE for writes, a busy timeout, and the
// durability the settings ask for (synchronous=FULL by default).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "store/database.h"

namespace epinet::store {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  int ext = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
    throw conflict("duplicate", msg);
  if (ext == SQLITE_CONSTRAINT_FOREIGNKEY) throw conflict("referenced", msg);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) throw conflict("constraint", msg);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_FULL ||
      (rc & 0xff) == SQLITE_IOERR)
    throw Error(ErrorKind::kUnavailable, "store_unavailable", msg);
  throw Error(ErrorKind::kInternal, "store_error", msg);
}

// The writers of this process take SQLite's write lock in the order they ask
// for it. SQLite's own wait (the busy handler) polls with growing sleeps, so a
// thread that commits and at once begins again (a large trace job saving in
// transactions one after another) took the lock each time before a waiting
// writer woke: the check-in writer, and with it every door's scan, waited for
// all of the job's transactions instead of one.
class WriteTurns {
 public:
  // Waits for this caller's turn; false after `patience` (the turn is given up).
  bool take(std::chrono::milliseconds patience) {
    std::unique_lock lock(mu_);
    const uint64_t me = next_++;
    queue_.push_back(me);
    if (!cv_.wait_for(lock, patience, [&] { return !busy_ && queue_.front() == me; })) {
      queue_.erase(std::find(queue_.begin(), queue_.end(), me));
      cv_.notify_all();
      return false;
    }
    queue_.pop_front();
    busy_ = true;
    return true;
  }
  void give() {
    {
      std::lock_guard lock(mu_);
      busy_ = false;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<uint64_t> queue_;  // GUARDED_BY(mu_): waiting, in order
  uint64_t next_ = 0;           // GUARDED_BY(mu_)
  bool busy_ = false;           // GUARDED_BY(mu_): a writer holds its turn
};
constexpr std::chrono::milliseconds kBusyTimeout{10000};

// Checkpoints the WAL on its own thread and connection, so that a commit
// seldom pays for copying pages into the database file (by default SQLite
// runs that checkpoint inside the commit that crosses 1000 pages).
class Checkpointer {
 public:
  // A checkpoint once the log holds `pages` pages (OpenOptions; 64 MiB of
  // 4 KiB pages by default), and at least once a second. A page that many
  // small commits rewrite (the newest leaf of a table or index) is copied
  // once per checkpoint, so fewer, larger checkpoints copy less: under the
  // scan benchmark's load, 1,000 pages cost 56 µs of CPU a scan and 16,384
  // pages 43–47 µs (docs/benchmarks.md).
  //
  // The log starts over only when a write begins with every frame of it
  // copied, which the thread's checkpoints, trailing a steady stream of
  // commits, never see: past twice that size the committing connection
  // copies what the thread has not yet (little, as a rule) before its next
  // write, after the thread's checkpoint if one is running (SQLite lets one
  // checkpoint run at a time, and a passive one that finds the other running
  // does nothing: under the sanitizers on a loaded machine the log then grew
  // past 28 MiB for a 1 MiB size), so the log stays bounded under any load;
  // after a restart its file is cut back to four times the size.
  Checkpointer(const std::string& path, int pages) : pages_(pages) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      sqlite3_close(db_);
      db_ = nullptr;
      return;
    }
    sqlite3_busy_timeout(db_, 1000);
    thread_ = std::thread([this] { run(); });
  }
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    if (db_) {
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      sqlite3_close_v2(db_);
    }
  }
  // The size of the log file kept after a restart, in bytes.
  int64_t log_bytes_kept() const { return int64_t{4} * pages_ * 4096; }
  // Called by SQLite after each commit, on the committing connection (its
  // write lock released), with the log's size in pages.
  static int on_commit(void* self, sqlite3* db, const char* name, int pages) {
    auto* me = static_cast<Checkpointer*>(self);
    if (pages >= me->pages_) me->cv_.notify_one();
    if (pages >= 2 * me->pages_) {
      std::lock_guard one_at_a_time(me->copying_);
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    return SQLITE_OK;
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::seconds(1));
      if (stop_) break;
      lock.unlock();
      // A connection finds out that the database is in WAL mode, and opens
      // the log, when it first reads: until then sqlite3_wal_checkpoint_v2
      // returns SQLITE_OK having done nothing (SQLite 3.40's pager), and the
      // log would grow for as long as the process runs.
      if (!has_read_) has_read_ = sqlite3_exec(db_, "PRAGMA schema_version", nullptr, nullptr, nullptr) == SQLITE_OK;
      {
        std::lock_guard one_at_a_time(copying_);
        sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      }
      lock.lock();
    }
  }
  int pages_;
  sqlite3* db_ = nullptr;
  bool has_read_ = false;  // the thread's own
  std::mutex copying_;     // held by whichever connection checkpoints: the thread's or a committer's
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, const std::string& synchronous, Checkpointer* checkpointer,
                   WriteTurns* turns)
      : turns_(turns) {
    int rc = sqlite3_open_v2(path.c_str(), &db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = "cannot open SQLite database " + path + ": " + sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw Error(ErrorKind::kUnavailable, "store_unavailable", msg);
    }
    sqlite3_busy_timeout(db_, static_cast<int>(kBusyTimeout.count()));
    sqlite3_extended_result_codes(db_, 1);
    try {  // a file that is not a database fails here: no destructor runs, so close it
      exec_script(
          "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=" + synchronous +
          (checkpointer ? "; PRAGMA journal_size_limit=" + std::to_string(checkpointer->log_bytes_kept()) : "") + ";");
    } catch (...) {
      sqlite3_close_v2(db_);
      throw;
    }
    checkpointer_ = checkpointer;
    sqlite3_wal_hook(db_, &SqliteConnection::on_commit, this);
  }
  ~SqliteConnection() override {
    end_turn();
    for (auto& [sql, st] : cache_) sqlite3_finalize(st);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result query(std::string_view sql, const std::vector<Value>& params) override {
    sqlite3_stmt* st = prepare(sql);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      int rc;
      if (auto p = std::get_if<int64_t>(&v))
        rc = sqlite3_bind_int64(st, idx, *p);
      else if (auto d = std::get_if<double>(&v))
        rc = sqlite3_bind_double(st, idx, *d);
      else if (auto s = std::get_if<std::string>(&v))
        rc = sqlite3_bind_text(st, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      else
        rc = sqlite3_bind_null(st, idx);
      if (rc != SQLITE_OK) fail(db_, rc, "bind");
    }
    Result r;
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; ++i) r.columns.emplace_back(sqlite3_column_name(st, i));
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        fail(db_, rc, "query");
      }
      auto& row = r.rows.emplace_back();
      row.reserve(n);
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(st, i)) {
          case SQLITE_INTEGER: row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(st, i))); break;
          case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(st, i)); break;
          case SQLITE_NULL: row.emplace_back(std::monostate{}); break;
          default:
            row.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i)),
                                         static_cast<size_t>(sqlite3_column_bytes(st, i))));
        }
      }
    }
    r.affected = sqlite3_changes64(db_);
    sqlite3_reset(st);
    return r;
  }

  void exec_script(std::string_view sql) override {
    char* err = nullptr;
    std::string s(sql);
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      sqlite3_free(err);
      fail(db_, rc, "script");
    }
  }

  void begin() override {
    if (turns_) {
      if (!turns_->take(kBusyTimeout))
        throw Error(ErrorKind::kUnavailable, "store_unavailable", "the database is busy: no write turn within 10 s");
      turn_ = true;
    }
    try {
      exec_script("BEGIN IMMEDIATE");
    } catch (...) {
      end_turn();
      throw;
    }
  }
  void commit() override {
    exec_script("COMMIT");
    end_turn();
  }
  void rollback() override {
    struct End {
      SqliteConnection& c;
      ~End() { c.end_turn(); }
    } end{*this};
    if (!sqlite3_get_autocommit(db_)) exec_script("ROLLBACK");
  }

 private:
  // After each commit, with SQLite's write lock already released: the next
  // writer's turn begins here, before the checkpoint the commit may run.
  static int on_commit(void* self, sqlite3* db, const char* name, int pages) {
    auto* me = static_cast<SqliteConnection*>(self);
    me->end_turn();
    return me->checkpointer_ ? Checkpointer::on_commit(me->checkpointer_, db, name, pages) : SQLITE_OK;
  }

  void end_turn() {
    if (!turn_) return;
    turn_ = false;
    turns_->give();
  }

  sqlite3_stmt* prepare(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st,
                                nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, "prepare");
    cache_.emplace(std::string(sql), st);
    return st;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  WriteTurns* turns_ = nullptr;
  bool turn_ = false;  // this connection holds the process's write turn
  Checkpointer* checkpointer_ = nullptr;
};

class SqliteDatabase final : public PooledDatabase {
 public:
  SqliteDatabase(std::string path, const OpenOptions& o)
      : PooledDatabase(o.pool_size), path_(std::move(path)), synchronous_(o.sqlite_synchronous) {
    auto dir = std::filesystem::path(path_).parent_path();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    if (ec) throw Error(ErrorKind::kUnavailable, "store_unavailable", "cannot create " + dir.string() + ": " + ec.message());
    release(acquire());  // fail early, create the file, set WAL once
    checkpointer_ = std::make_unique<Checkpointer>(path_, o.sqlite_checkpoint_pages);
    close_all();  // later connections carry the checkpointer's hook
  }
  ~SqliteDatabase() override {
    close_all();  // before the checkpointer their hooks point to
  }
  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string describe() const override { return "sqlite:" + path_; }
  std::optional<uint64_t> log_bytes() const override {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path_ + "-wal", ec);
    return ec ? 0 : n;  // no log: everything is in the database file
  }

 protected:
  std::unique_ptr<Connection> open_connection() override {
    return std::make_unique<SqliteConnection>(path_, synchronous_, checkpointer_.get(), &turns_);
  }

 private:
  WriteTurns turns_;  // before the connections that point to it are opened (in the constructor)
  std::string path_;
  std::string synchronous_;
  std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path, const OpenOptions& o) {
  return std::make_unique<SqliteDatabase>(path, o);
}

}  // namespace epinet::store
