// PostgreSQL adapter over libpq: `?` placeholders become $n, typed results for
// integer and floating columns, SQLSTATE mapped to the store's error kinds.
#include <libpq-fe.h>

#include <cstring>

#include "core/error.h"
#include "store/database.h"

namespace epinet::store {
namespace {

// pg_type OIDs for the result types we convert.
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

std::string to_dollar_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool in_quote = false;
  for (char c : sql) {
    if (c == '\'') in_quote = !in_quote;
    if (c == '?' && !in_quote) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

[[noreturn]] void fail(PGconn* conn, PGresult* res, std::string_view what) {
  std::string state = res && PQresultErrorField(res, PG_DIAG_SQLSTATE) ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "";
  std::string msg = std::string(what) + ": " + (res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (res) PQclear(res);
  if (state == "23505") throw conflict("duplicate", msg);
  if (state == "23503") throw conflict("referenced", msg);
  if (state.rfind("23", 0) == 0) throw conflict("constraint", msg);
  if (state.rfind("08", 0) == 0 || state.empty() || PQstatus(conn) != CONNECTION_OK)
    throw Error(ErrorKind::kUnavailable, "store_unavailable", msg);
  throw Error(ErrorKind::kInternal, "store_error", msg);
}

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const std::string& url) {
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = std::string("cannot connect to PostgreSQL: ") + PQerrorMessage(conn_);
      PQfinish(conn_);
      throw Error(ErrorKind::kUnavailable, "store_unavailable", msg);
    }
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    try {  // a throwing constructor runs no destructor
      exec_script("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    } catch (...) {
      PQfinish(conn_);
      throw;
    }
  }
  ~PgConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result query(std::string_view sql, const std::vector<Value>& params) override {
    std::vector<std::string> text(params.size());
    std::vector<const char*> ptrs(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        ptrs[i] = nullptr;
        continue;
      }
      if (auto d = std::get_if<double>(&v)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", *d);
        text[i] = buf;
      } else {
        text[i] = as_text(v);
      }
      ptrs[i] = text[i].c_str();
    }
    std::string q = to_dollar_placeholders(sql);
    PGresult* res = PQexecParams(conn_, q.c_str(), static_cast<int>(params.size()), nullptr, ptrs.data(), nullptr,
                                 nullptr, 0);
    auto st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) fail(conn_, res, "query");
    Result r;
    int nf = PQnfields(res), nt = PQntuples(res);
    std::vector<Oid> types(nf);
    for (int i = 0; i < nf; ++i) {
      r.columns.emplace_back(PQfname(res, i));
      types[i] = PQftype(res, i);
    }
    r.rows.reserve(nt);
    for (int t = 0; t < nt; ++t) {
      auto& row = r.rows.emplace_back();
      row.reserve(nf);
      for (int i = 0; i < nf; ++i) {
        if (PQgetisnull(res, t, i)) {
          row.emplace_back(std::monostate{});
          continue;
        }
        const char* s = PQgetvalue(res, t, i);
        switch (types[i]) {
          case kInt8: case kInt4: case kInt2: row.emplace_back(static_cast<int64_t>(std::strtoll(s, nullptr, 10))); break;
          case kFloat4: case kFloat8: case kNumeric: row.emplace_back(std::strtod(s, nullptr)); break;
          case kBool: row.emplace_back(static_cast<int64_t>(s[0] == 't')); break;
          default: row.emplace_back(std::string(s, static_cast<size_t>(PQgetlength(res, t, i))));
        }
      }
    }
    const char* affected = PQcmdTuples(res);
    r.affected = affected && *affected ? std::strtoll(affected, nullptr, 10) : 0;
    PQclear(res);
    return r;
  }

  void exec_script(std::string_view sql) override {
    std::string s(sql);
    PGresult* res = PQexec(conn_, s.c_str());
    auto st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) fail(conn_, res, "script");
    PQclear(res);
  }

  void begin() override { exec_script("BEGIN"); }
  void commit() override { exec_script("COMMIT"); }
  void rollback() override {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) exec_script("ROLLBACK");
  }

 private:
  PGconn* conn_ = nullptr;
};

class PgDatabase final : public PooledDatabase {
 public:
  PgDatabase(std::string url, const OpenOptions& o) : PooledDatabase(o.pool_size), url_(std::move(url)) {
    release(acquire());  // fail early with a clear message
  }
  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string describe() const override {
    // Drop any password from the URL before it reaches a log line.
    std::string d = url_;
    auto at = d.find('@');
    auto scheme = d.find("://");
    if (at != std::string::npos && scheme != std::string::npos) {
      auto colon = d.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) d.replace(colon, at - colon, ":***");
    }
    return d;
  }

 protected:
  std::unique_ptr<Connection> open_connection() override { return std::make_unique<PgConnection>(url_); }

 private:
  std::string url_;
};

}  // namespace

std::unique_ptr<Database> open_postgres(const std::string& url, const OpenOptions& o) {
  return std::make_unique<PgDatabase>(url, o);
}

}  // namespace epinet::store
