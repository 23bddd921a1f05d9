// The epinet command: server and CLI in one binary.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <execinfo.h>
#include <unistd.h>

#include <csignal>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "core/crypto.h"
#include "core/error.h"
#include "http/server.h"
#include "service/keys.h"
#include "service/services.h"
#include "store/migrations.h"

using namespace epinet;

namespace {

struct Globals {
  std::string config_file, listen, database_url, data_dir, web_dir;
};

Config load(const Globals& g) {
  std::map<std::string, std::string> o;
  if (!g.listen.empty()) o["EPINET_LISTEN"] = g.listen;
  if (!g.database_url.empty()) o["EPINET_DATABASE_URL"] = g.database_url;
  if (!g.data_dir.empty()) o["EPINET_DATA_DIR"] = g.data_dir;
  if (!g.web_dir.empty()) o["EPINET_WEB_DIR"] = g.web_dir;
  Config c = load_config(o, g.config_file);
  auto level = spdlog::level::from_str(c.log_level);
  spdlog::set_level(level);
  return c;
}


std::string read_password(const std::string& prompt) {
  if (const char* p = std::getenv("EPINET_PASSWORD")) return p;
  std::string pw;
  if (isatty(STDIN_FILENO)) std::cerr << prompt;
  std::getline(std::cin, pw);
  return pw;
}

int64_t user_id_by_name(store::Database& db, const std::string& username) {
  std::optional<store::User> u;
  db.read([&](store::Connection& c) { u = store::find_user_by_username(c, username); });
  if (!u) throw not_found("user " + username);
  return u->id;
}

}  // namespace

namespace {
// A server that dies of a fatal signal says so, with a backtrace, before the
// default action (a core dump where enabled) runs: only async-signal-safe calls.
void on_fatal_signal(int sig) {
  const char head[] = "epinet: fatal signal, backtrace follows\n";
  [[maybe_unused]] auto w = ::write(STDERR_FILENO, head, sizeof head - 1);
  void* frames[64];
  int n = ::backtrace(frames, 64);
  ::backtrace_symbols_fd(frames, n, STDERR_FILENO);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void report_fatal_signals() {
  void* warm[1];
  ::backtrace(warm, 1);  // loads libgcc now, not inside the handler
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, on_fatal_signal);
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"epinet — a city's epidemic prevention and control platform.\n"
               "Settings: config/epinet.defaults.env, EPINET_* environment variables, flags."};
  app.require_subcommand(1);
  Globals g;
  app.add_option("--config", g.config_file, "settings file (KEY=VALUE lines), also EPINET_CONFIG");
  app.add_option("--database-url", g.database_url, "sqlite:PATH or postgresql://… (EPINET_DATABASE_URL)");
  app.add_option("--data-dir", g.data_dir, "data folder (EPINET_DATA_DIR)");

  auto* serve = app.add_subcommand("serve", "migrate the database and serve the API and web UI");
  serve->add_option("--listen", g.listen, "HOST:PORT (EPINET_LISTEN, default 127.0.0.1:8080)");
  serve->add_option("--web-dir", g.web_dir, "the built web UI (EPINET_WEB_DIR)");
  auto* migrate = app.add_subcommand("migrate", "apply the database migrations that are missing");
  auto* seed = app.add_subcommand("seed-demo", "create the demo city and one account per role (idempotent)");
  auto* user = app.add_subcommand("user", "manage accounts");
  user->require_subcommand(1);
  std::string u_name, u_role, u_display, u_division, u_venue;
  auto* uadd = user->add_subcommand("add", "create an account (password from EPINET_PASSWORD or standard input)");
  uadd->add_option("username", u_name)->required();
  uadd->add_option("--role", u_role, "admin, commander, venue_staff, community_worker, clinician, lab, resident")->required();
  uadd->add_option("--display-name", u_display);
  uadd->add_option("--division", u_division, "jurisdiction: a division code (e.g. 140702)");
  uadd->add_option("--venue", u_venue, "jurisdiction: a venue id (venue-bound roles)");
  auto* upass = user->add_subcommand("passwd", "set an account's password (EPINET_PASSWORD or standard input)");
  upass->add_option("username", u_name)->required();
  auto* ulist = user->add_subcommand("list", "list accounts");
  auto* udis = user->add_subcommand("disable", "disable an account and end its sessions");
  udis->add_option("username", u_name)->required();
  bool enable = false;
  udis->add_flag("--enable", enable, "enable it again instead");
  auto* keys = app.add_subcommand("keys", "manage key material");
  keys->require_subcommand(1);
  bool rotate = false;
  auto* kinit = keys->add_subcommand("init", "create missing keys in DATA_DIR/keys (never overwrites)");
  kinit->add_flag("--rotate", rotate, "also add a new signing key (the old ones stay valid)");
  auto* version = app.add_subcommand("version", "print the version");
  auto* config = app.add_subcommand("config", "print the effective settings");
  auto sim = cli::add_sim_command(app);
  auto detect = cli::add_detect_command(app);
  auto trace = cli::add_trace_command(app);
  auto push_list = cli::add_push_list_command(app);

  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_logger_mt("epinet"));
  spdlog::set_pattern("%v");

  try {
    crypto::init();
    if (*version) {
      std::cout << "epinet " << EPINET_VERSION << "\n";
      return 0;
    }
    if (*sim.app) return sim.run([&] { return load(g); });
    if (*detect.app) return detect.run([&] { return load(g); });
    if (*trace.app) return trace.run([&] { return load(g); });
    if (*push_list.app) return push_list.run([&] { return load(g); });
    Config cfg = load(g);
    if (*config) {
      for (auto& [k, v] : cfg.raw) std::cout << k << "=" << v << "\n";
      return 0;
    }
    if (*kinit) {
      auto r = service::init_keys(cfg.data_dir, rotate);
      for (auto& f : r.created) std::cout << "created " << cfg.data_dir << "/keys/" << f << "\n";
      if (r.created.empty()) std::cout << "all keys present\n";
      std::cout << "signing keys:";
      for (int k : r.signing_kids) std::cout << " " << k;
      std::cout << "\n";
      return 0;
    }
    auto db = cli::open_migrated(cfg, static_cast<bool>(*serve));
    if (*migrate) {
      std::cout << "schema version " << store::schema_version(*db) << " (" << db->describe() << ")\n";
      return 0;
    }
    if (*seed) {
      auto r = service::seed_demo(*db, cfg);
      std::cout << "demo city: " << r.divisions << " divisions, " << r.venues << " venues, " << r.users
                << " accounts, " << r.persons << " residents created (" << db->describe() << ")\n";
      std::cout << "demo accounts: admin, commander, venue_staff, community_worker, grid_worker (one compound), "
                   "clinician, lab, resident\n";
      std::cout << "demo password: " << r.password
                << (r.password_generated ? "  (generated; kept in " + cfg.data_dir + "/demo-password.txt)" : "")
                << "\n";
      return 0;
    }
    if (*serve) {
      report_fatal_signals();
      service::init_keys(cfg.data_dir, false);
      http::App a(cfg, std::move(db));
      http::register_routes(a);
      a.runtime->start_jobs();
      if (a.static_files.empty())
        spdlog::warn(R"({{"type":"warning","message":"web UI not found in {}: run make build"}})", cfg.web_dir);
      http::run_server(a, [&](const std::string& bound) {
        spdlog::warn(R"({{"type":"listening","address":"http://{}","database":"{}","threads":{}}})", bound,
                     a.db->describe(), cfg.threads);
      });
      return 0;
    }
    auto caller = cli::cli_caller();
    if (*uadd) {
      service::UserPatch p;
      p.username = u_name;
      p.role = u_role;
      if (!u_display.empty()) p.display_name = u_display;
      if (!u_division.empty()) {
        std::optional<store::Division> d;
        db->read([&](store::Connection& c) { d = store::find_division_by_code(c, u_division); });
        if (!d) throw invalid("invalid_field", "no division with code " + u_division);
        p.division_id = d->id;
      }
      if (!u_venue.empty()) p.venue_id = std::stoll(u_venue);
      p.password = read_password("password: ");
      auto u = service::create_user(*db, caller, p);
      std::cout << "created user " << u.username << " (id " << u.id << ", " << u.role << ")\n";
      return 0;
    }
    if (*upass || *udis) {
      service::AuthService auth(*db, cfg);
      service::UserPatch p;
      if (*upass) p.password = read_password("new password: ");
      if (*udis) p.disabled = !enable;
      auto u = service::update_user(*db, auth, caller, user_id_by_name(*db, u_name), p);
      std::cout << (*upass ? "password changed for " : enable ? "enabled " : "disabled ") << u.username << "\n";
      return 0;
    }
    if (*ulist) {
      store::Page page{1, 500};
      for (;; ++page.page) {
        store::PageOf<store::User> users;
        db->read([&](store::Connection& c) { users = store::list_users(c, {}, page); });
        for (auto& u : users.items)
          std::cout << u.id << "\t" << u.username << "\t" << u.role << "\t"
                    << (u.venue_id ? u.venue_name : u.division_name) << (u.disabled ? "\tdisabled" : "") << "\n";
        if (page.page * page.page_size >= users.total) break;
      }
      return 0;
    }
  } catch (const Error& e) {
    std::cerr << "epinet: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "epinet: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
