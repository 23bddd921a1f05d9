// /healthz, /metrics, /api/v1/version, /api/v1/openapi.json, and the web UI's
// static files.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "http/json_io.h"
#include "store/migrations.h"

namespace epinet::http {

void register_system_routes(App& app) {
  auto& r = app.router;
  r.add({"GET", "/healthz", Access::kPublic, "", "system", "Liveness: the server answers and its database too", "",
         "Health", 200, {}, [&app](RouteContext&) {
           app.db->read([](store::Connection& c) { c.query("SELECT 1"); });
           return object_response(200, {{"status", "ok"}});
         }});
  r.add({"GET", "/metrics", Access::kPublic, "", "system", "Prometheus metrics", "", "", 200, {},
         [&app](RouteContext&) {
           Response resp;
           resp.content_type = "text/plain; version=0.0.4";
           resp.body = app.metrics.render();
           // Group commit: check-ins per batch = committed / batches.
           const auto& w = app.runtime->writer;
           resp.body += "# HELP epinet_checkin_batches_total Transactions the check-in writer committed.\n"
                        "# TYPE epinet_checkin_batches_total counter\nepinet_checkin_batches_total " +
                        std::to_string(w.batches()) +
                        "\n# HELP epinet_checkins_committed_total Check-ins committed (acknowledged only after).\n"
                        "# TYPE epinet_checkins_committed_total counter\nepinet_checkins_committed_total " +
                        std::to_string(w.committed()) + "\n";
           // SQLite: the write-ahead log's size, which checkpoints keep bounded (a log that only grows
           // means they are not running).
           if (const auto bytes = app.db->log_bytes())
             resp.body +=
                 "# HELP epinet_sqlite_wal_bytes Size of the SQLite write-ahead log file.\n"
                 "# TYPE epinet_sqlite_wal_bytes gauge\nepinet_sqlite_wal_bytes " +
                 std::to_string(*bytes) + "\n";
           return resp;
         }});
  r.add({"GET", "/api/v1/version", Access::kPublic, "", "system", "Version and schema version", "", "Version", 200,
         {}, [&app](RouteContext&) {
           return object_response(200, {{"version", EPINET_VERSION},
                                        {"schema_version", store::schema_version(*app.db)},
                                        {"database", app.db->dialect() == store::Dialect::kSqlite ? "sqlite" : "postgresql"},
                                        // The city's clock: its days are what "today" means in every view.
                                        {"utc_offset_minutes", app.config.utc_offset_minutes}});
         }});
  r.add({"GET", "/api/v1/openapi.json", Access::kPublic, "", "system", "This API as an OpenAPI 3 document", "", "", 200,
         {}, [&app](RouteContext&) { return json_response(200, app.openapi_json); }});
}

namespace {
std::string mime_of(const std::string& path) {
  static const std::pair<const char*, const char*> types[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".ico", "image/x-icon"},              {".woff2", "font/woff2"},
      {".woff", "font/woff"},                {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"},
      {".webmanifest", "application/manifest+json"}, {".mp3", "audio/mpeg"}, {".wav", "audio/wav"}};
  for (const auto& [ext, type] : types)
    if (path.size() >= std::strlen(ext) && path.compare(path.size() - std::strlen(ext), std::string::npos, ext) == 0)
      return type;
  return "application/octet-stream";
}

const char* kNoUi =
    "<!doctype html><meta charset=utf-8><title>epinet</title><h1>epinet</h1><p>The web UI is not built: run "
    "<code>make build</code> (or set EPINET_WEB_DIR). The API is at <a href=/api/v1/openapi.json>/api/v1/"
    "openapi.json</a>.</p>";
}  // namespace

// The built UI is small: it is read once at start and served from memory.
void load_static_files(App& app) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(app.config.web_dir, ec)) return;
  for (auto it = fs::recursive_directory_iterator(app.config.web_dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string rel = "/" + fs::relative(it->path(), app.config.web_dir).generic_string();
    app.static_files[rel] = ss.str();
  }
}

Response serve_static(const App& app, const Request& req) {
  Response r;
  auto it = app.static_files.find(req.path);
  bool asset = it != app.static_files.end();
  if (!asset) {
    // A file-looking path that does not exist is a 404; anything else is a
    // client-side route of the single-page app.
    auto last = req.path.rfind('/');
    if (req.path.find('.', last == std::string::npos ? 0 : last) != std::string::npos)
      return error_response(404, "not_found", "no such file: " + req.path);
    it = app.static_files.find("/index.html");
  }
  if (it == app.static_files.end()) {
    r.content_type = "text/html; charset=utf-8";
    r.body = kNoUi;
    return r;
  }
  r.content_type = mime_of(it->first);
  r.body = it->second;
  // Vite puts content hashes in asset names: those never change.
  if (asset && it->first.rfind("/assets/", 0) == 0)
    r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  else
    r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

}  // namespace epinet::http
