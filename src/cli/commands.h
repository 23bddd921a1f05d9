// Subcommands that live in their own translation unit (CLI11 is heavy).
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

#include "core/config.h"

namespace epinet::cli {

struct Command {
  CLI::App* app = nullptr;
  // Runs the command after parsing; `load` gives the settings (flags,
  // environment, defaults) for commands that touch the database.
  std::function<int(const std::function<Config()>& load)> run;
};

// `epinet sim`: the synthetic city and outbreak generator (sim/).
Command add_sim_command(CLI::App& root);

// `epinet detect`: aberration detection on a daily series (src/domain/warning).
Command add_detect_command(CLI::App& root);

// `epinet trace`: batch contact tracing (src/domain/tracing, docs/tracing.md).
Command add_trace_command(CLI::App& root);

// `epinet push-list`: import a pushed list with progress; the benchmark's data (src/cli/community_command.cpp).
Command add_push_list_command(CLI::App& root);

}  // namespace epinet::cli
