// Numbered SQL migrations, compiled in from src/store/migrations/NNNN_name.sql.
// A file may hold dialect sections: lines after `-- @sqlite` or `-- @postgres`
// apply to that database only, until `-- @all`. `{{id}}` stands for an
// auto-assigned bigint primary key in either dialect.
#pragma once
#include <string>
#include <vector>

#include "store/database.h"

namespace epinet::store {

struct EmbeddedMigration {
  int version;
  const char* name;
  const char* sql;
};
const std::vector<EmbeddedMigration>& embedded_migrations();

// The migration's SQL for one dialect (pure; unit-tested).
std::string render_migration(const std::string& sql, Dialect dialect);

// Applies every migration newer than the database's, each in its own
// transaction, and records it in schema_migrations. Safe when two processes
// start at once. Returns the versions applied.
std::vector<int> migrate(Database& db);

// The highest applied version (0 for an empty database).
int schema_version(Database& db);

}  // namespace epinet::store
