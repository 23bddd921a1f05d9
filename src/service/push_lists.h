// Pushed lists (核实大数据返回人员信息): the district uploads a list of people
// said to have arrived; epinet matches it against the community's roster and
// registrations (domain/community/reconcile.h), assigns every unregistered or
// unmatched person to the worker of their compound, and tracks each to an
// outcome by the deadline. See docs/communities.md.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/community/tables.h"
#include "service/runtime.h"
#include "service/services.h"
#include "store/community.h"

namespace epinet::service {

struct PushUpload {
  int64_t community_id = 0;
  Millis deadline = 0;
  std::string name, file_name;
  std::string_view bytes;  // CSV (UTF-8/GBK) or XLSX
  bool dry_run = false;     // match and count, write nothing (the CLI's --dry-run)
};
struct PushUploadResult {
  int64_t list_id = 0;  // 0 when refused
  std::vector<domain::community::RowError> errors;  // not empty: nothing was imported
  store::PushCounts counts;
  std::string encoding;
  std::vector<int64_t> matched;  // the person matched per row, 0 for none (for comparing engines)
};
// Progress: (stage, done, total); stages read | load | match | write.
using PushProgress = std::function<void(const std::string& stage, size_t done, size_t total)>;
PushUploadResult upload_push_list(Runtime& rt, const Caller& caller, const PushUpload& in, const PushProgress& progress = {});

// The benchmark's reference: the list's rows matched by one SQL join
// (store::match_list_by_join); the person per row, 0 for none.
std::vector<int64_t> match_push_list_by_join(Runtime& rt, const Caller& caller, int64_t community_id, std::string_view bytes);

store::PushList get_push_list(Runtime& rt, const Caller& caller, int64_t id, store::PushCounts* counts = nullptr);
struct PushListRow {
  store::PushList list;
  store::PushCounts counts;
};
// Lists within the caller's jurisdiction (optionally one community's), newest first, with their counts.
std::vector<PushListRow> push_lists(Runtime& rt, const Caller& caller, std::optional<int64_t> community_id);
// Totals over every list of a community, and per compound.
struct PushBoard {
  store::PushCounts totals;
  std::vector<std::pair<store::Division, store::PushCounts>> compounds;
};
PushBoard push_board(Runtime& rt, const Caller& caller, int64_t community_id, std::optional<int64_t> list_id);
store::PageOf<store::PushItem> push_items(Runtime& rt, const Caller& caller, store::PushItemFilter f, const store::Page& p);
// outcome: registered (the person has a registration) | not_here (reason required) | moved_away | duplicate
store::PushItem record_push_outcome(Runtime& rt, const Caller& caller, int64_t list_id, int64_t line,
                                    const std::string& outcome, const std::string& reason);
store::PushItem assign_push_item(Runtime& rt, const Caller& caller, int64_t list_id, int64_t line, int64_t user_id);
// The caller's open items, overdue first.
store::PageOf<store::PushItem> my_push_todo(Runtime& rt, const Caller& caller, const store::Page& p);
// For the jobs thread: marks overdue open items reminded (once a day each); returns how many.
int64_t remind_overdue_push_items(store::Database& db, Millis now);

}  // namespace epinet::service
