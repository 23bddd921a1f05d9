// The storage port. Repositories write SQL once, with `?` placeholders, in the
// subset that SQLite 3.40 and PostgreSQL 15 share; each adapter translates what
// little differs (placeholders, transaction start, error codes).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace epinet::store {

enum class Dialect { kSqlite, kPostgres };

// A parameter or a column value. Integers and reals come back typed; every
// other column comes back as text; SQL NULL is monostate.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

inline Value null_if_empty(const std::string& s) { return s.empty() ? Value{} : Value{s}; }
template <class T>
Value opt(const std::optional<T>& v) {
  return v ? Value{*v} : Value{};
}

struct Result {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE

  bool empty() const { return rows.empty(); }
  size_t col(std::string_view name) const;  // throws when absent
};

bool is_null(const Value& v);
int64_t as_int(const Value& v);         // NULL → 0
double as_double(const Value& v);       // NULL → 0
std::string as_text(const Value& v);    // NULL → ""
std::optional<int64_t> as_opt_int(const Value& v);

// One open connection. Not thread-safe: one user at a time (the pool sees to it).
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  virtual Result query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs several statements separated by semicolons, without parameters.
  virtual void exec_script(std::string_view sql) = 0;
  // Starts a write transaction (SQLite: BEGIN IMMEDIATE, so that a writer
  // waits for the lock up front instead of failing at its first write).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
};

// A pool of connections to one database.
class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  virtual std::string describe() const = 0;  // "sqlite:/path" or "postgresql://host:port/db" (no password)
  // The size of the write-ahead log file in bytes, where the store keeps one
  // beside the database (SQLite); nullopt elsewhere.
  virtual std::optional<uint64_t> log_bytes() const { return std::nullopt; }

  // Runs fn with a connection and no explicit transaction (each statement
  // commits by itself): for reads.
  void read(const std::function<void(Connection&)>& fn);
  // Runs fn inside a write transaction; commits when fn returns, rolls back
  // when it throws (and rethrows). The commit is durable when this returns.
  void write(const std::function<void(Connection&)>& fn);

 protected:
  virtual std::unique_ptr<Connection> acquire() = 0;
  // Gives a connection back; null says it was closed after a failure.
  virtual void release(std::unique_ptr<Connection> c) = 0;
};

// A bounded pool: opens connections on demand up to `max_size`, and makes
// callers wait when all are in use.
class PooledDatabase : public Database {
 public:
  explicit PooledDatabase(int max_size);
  ~PooledDatabase() override;

 protected:
  virtual std::unique_ptr<Connection> open_connection() = 0;
  std::unique_ptr<Connection> acquire() override;
  void release(std::unique_ptr<Connection> c) override;
  // Closes the idle connections (for destructors of derived pools).
  void close_all();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Opens "sqlite:PATH" or "postgresql://…". `pool_size` connections at most.
// Throws Error(kUnavailable) when the database cannot be opened.
struct OpenOptions {
  int pool_size = 8;
  std::string sqlite_synchronous = "FULL";
  // SQLite: the write-ahead log is checkpointed from this many pages on.
  int sqlite_checkpoint_pages = 16384;
};
std::unique_ptr<Database> open_database(const std::string& url, const OpenOptions& options);

}  // namespace epinet::store
