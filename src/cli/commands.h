// Subcommands that live in their own translation unit (CLI11 is heavy).
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "service/services.h"
#include "store/database.h"

namespace epinet::cli {

struct Command {
  CLI::App* app = nullptr;
  // Runs the command after parsing; `load` gives the settings (flags,
  // environment, defaults) for commands that touch the database.
  std::function<int(const std::function<Config()>& load)> run;
};

// The store the settings name, migrated to this binary's schema; prints the
// migrations it applied unless `quiet`.
std::unique_ptr<store::Database> open_migrated(const Config& c, bool quiet = false);

// Who a command typed on the server acts as: an administrator of the whole
// tree, named after the operating-system user in the audit log.
service::Caller cli_caller();

// `epinet sim`: the synthetic city and outbreak generator (sim/).
Command add_sim_command(CLI::App& root);

// `epinet detect`: aberration detection on a daily series (src/domain/warning).
Command add_detect_command(CLI::App& root);

// `epinet trace`: batch contact tracing (src/domain/tracing, docs/tracing.md).
Command add_trace_command(CLI::App& root);

// `epinet push-list`: import a pushed list with progress; the benchmark's data (src/cli/community_command.cpp).
Command add_push_list_command(CLI::App& root);

}  // namespace epinet::cli
