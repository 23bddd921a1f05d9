#include "store/database.h"

#include "core/error.h"

namespace epinet::store {

size_t Result::col(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return i;
  throw Error(ErrorKind::kInternal, "internal", "no column " + std::string(name) + " in result");
}

bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

int64_t as_int(const Value& v) {
  if (auto i = std::get_if<int64_t>(&v)) return *i;
  if (auto d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (auto s = std::get_if<std::string>(&v)) return s->empty() ? 0 : std::stoll(*s);
  return 0;
}

double as_double(const Value& v) {
  if (auto d = std::get_if<double>(&v)) return *d;
  if (auto i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (auto s = std::get_if<std::string>(&v)) return s->empty() ? 0 : std::stod(*s);
  return 0;
}

std::string as_text(const Value& v) {
  if (auto s = std::get_if<std::string>(&v)) return *s;
  if (auto i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&v)) return std::to_string(*d);
  return "";
}

std::optional<int64_t> as_opt_int(const Value& v) {
  if (is_null(v)) return std::nullopt;
  return as_int(v);
}

void Database::read(const std::function<void(Connection&)>& fn) {
  auto c = acquire();
  try {
    fn(*c);
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
}

void Database::write(const std::function<void(Connection&)>& fn) {
  auto c = acquire();
  try {
    c->begin();
    fn(*c);
    c->commit();
  } catch (...) {
    try {
      c->rollback();
    } catch (...) {
      // The connection is unusable; dropping it below closes it.
      c.reset();
    }
    release(std::move(c));  // null: the pool opens a fresh one when needed
    throw;
  }
  release(std::move(c));
}

}  // namespace epinet::store

#include <condition_variable>
#include <mutex>

namespace epinet::store {

struct PooledDatabase::State {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<Connection>> idle;  // GUARDED_BY(mu)
  int open = 0;                                   // GUARDED_BY(mu)
  int max_size;
};

PooledDatabase::PooledDatabase(int max_size) : state_(std::make_unique<State>()) {
  state_->max_size = std::max(1, max_size);
}
PooledDatabase::~PooledDatabase() = default;

std::unique_ptr<Connection> PooledDatabase::acquire() {
  std::unique_lock lock(state_->mu);
  state_->cv.wait(lock, [&] { return !state_->idle.empty() || state_->open < state_->max_size; });
  if (!state_->idle.empty()) {
    auto c = std::move(state_->idle.back());
    state_->idle.pop_back();
    return c;
  }
  ++state_->open;
  lock.unlock();
  try {
    return open_connection();
  } catch (...) {
    lock.lock();
    --state_->open;
    state_->cv.notify_one();
    throw;
  }
}

void PooledDatabase::close_all() {
  std::lock_guard lock(state_->mu);
  state_->open -= static_cast<int>(state_->idle.size());
  state_->idle.clear();
}

void PooledDatabase::release(std::unique_ptr<Connection> c) {
  std::lock_guard lock(state_->mu);
  if (c)
    state_->idle.push_back(std::move(c));
  else
    --state_->open;
  state_->cv.notify_one();
}

}  // namespace epinet::store

namespace epinet::store {

std::unique_ptr<Database> open_sqlite(const std::string& path, const OpenOptions& o);
std::unique_ptr<Database> open_postgres(const std::string& url, const OpenOptions& o);

std::unique_ptr<Database> open_database(const std::string& url, const OpenOptions& options) {
  if (url.rfind("sqlite:", 0) == 0) return open_sqlite(url.substr(7), options);
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_postgres(url, options);
  throw invalid("invalid_setting", "database URL must start with sqlite: or postgresql://");
}

}  // namespace epinet::store
