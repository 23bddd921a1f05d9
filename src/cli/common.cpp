#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "store/migrations.h"

namespace epinet::cli {

std::unique_ptr<store::Database> open_migrated(const Config& c, bool quiet) {
  store::OpenOptions o;
  o.pool_size = c.database_url.rfind("sqlite:", 0) == 0 ? c.threads + 1 : c.db_pool_size;
  o.sqlite_synchronous = c.sqlite_synchronous;
  auto db = store::open_database(c.database_url, o);
  auto applied = store::migrate(*db);
  if (!quiet)
    for (int v : applied) std::cerr << "migrated: applied migration " << v << "\n";
  return db;
}

service::Caller cli_caller() {
  service::Caller c;
  const char* user = std::getenv("USER");
  c.who.username = std::string("cli:") + (user ? user : "unknown");
  c.who.role = domain::Role::kAdmin;
  c.who.division_path = "/";  // the command line on the server has the whole tree
  c.client_addr = "local";
  return c;
}

}  // namespace epinet::cli
