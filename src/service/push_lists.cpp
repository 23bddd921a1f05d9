#include "service/push_lists.h"

#include <boost/json.hpp>
#include <map>

#include "core/error.h"
#include "domain/community/reconcile.h"
#include "domain/person/identity.h"
#include "service/community.h"

namespace epinet::service {
namespace json = boost::json;
namespace cm = domain::community;

namespace {

// A returnee registration counts as "registered" for a list when the person
// arrived at most this long before the list came down.
constexpr Millis kRegisteredWindow = 14 * kDayMillis;

store::PushList must_list(store::Connection& c, int64_t id) {
  auto l = store::find_push_list(c, id);
  if (!l) throw not_found("pushed list");
  return *l;
}

store::PushItem must_item(store::Connection& c, int64_t list_id, int64_t line) {
  auto i = store::find_push_item(c, list_id, line);
  if (!i) throw not_found("list item");
  return *i;
}

// The worker whose jurisdiction is the deepest on the way to `path`.
std::optional<int64_t> worker_for(const std::vector<std::pair<int64_t, std::string>>& workers, const std::string& path) {
  std::optional<int64_t> best;
  size_t depth = 0;
  for (const auto& [id, wpath] : workers)
    if (path.rfind(wpath, 0) == 0 && wpath.size() > depth) best = id, depth = wpath.size();
  return best;
}

}  // namespace

PushUploadResult upload_push_list(Runtime& rt, const Caller& caller, const PushUpload& in, const PushProgress& progress) {
  const Millis now = now_ms();
  auto step = [&](const std::string& s, size_t d, size_t t) {
    if (progress) progress(s, d, t);
  };
  if (in.deadline <= now) throw invalid("invalid_field", "deadline must be in the future");
  if (in.deadline > now + 90 * kDayMillis) throw invalid("invalid_field", "deadline must be within 90 days");
  if (in.name.size() > 200 || in.file_name.size() > 200) throw invalid("invalid_field", "name has at most 200 bytes");
  PushUploadResult out;
  step("read", 0, 1);
  TableFile t = read_table_file(in.bytes);
  out.encoding = t.encoding;
  auto parsed = cm::parse_push_list(t);
  if (!parsed.errors.empty()) {
    out.errors = std::move(parsed.errors);
    return out;
  }
  std::vector<cm::ListRow> rows;
  rows.reserve(parsed.rows.size());
  for (const auto& r : parsed.rows) rows.push_back({r.line, r.id_number.empty() ? "" : rt.keys.id_hash(r.id_number), r.phone, r.name});
  step("read", 1, 1);
  store::Division community;
  std::vector<cm::Resident> residents;
  cm::OpenElsewhere open;
  std::map<int64_t, std::string> compound_paths;
  std::vector<std::pair<int64_t, std::string>> workers;
  step("load", 0, 1);
  rt.db.read([&](store::Connection& c) {
    community = community_of(c, in.community_id);
    if (community.id != in.community_id) throw invalid("invalid_field", "community_id is not a community");
    require_within(caller, {community.path, std::nullopt});
    residents = store::load_roster(c, community.id, community.path, now - kRegisteredWindow);
    open = store::open_items_elsewhere(c, community.path);
    for (const auto& d : store::divisions_under(c, community.path))
      if (d.level == "compound") compound_paths[d.id] = d.path;
    workers = store::workers_over(c, community.path);
  });
  step("load", 1, 1);
  cm::RosterIndex index(std::move(residents));
  auto matches = cm::reconcile(index, rows, open, [&](size_t d) { step("match", d, rows.size()); });
  std::vector<store::PushItem> items(rows.size());
  out.counts.total = static_cast<int64_t>(rows.size());
  for (size_t n = 0; n < rows.size(); ++n) {
    const auto& src = parsed.rows[n];
    const auto& m = matches[n];
    auto& it = items[n];
    it.line = src.line;
    it.name = src.name;
    it.id_hash = rows[n].id_hash;
    if (!src.id_number.empty()) it.id_masked = domain::mask_id_number(src.id_number);
    it.phone = src.phone;
    it.origin = src.origin;
    it.arrival_date = src.arrival_date;
    it.bucket = std::string(cm::bucket_name(m.bucket));
    it.matched_by = m.matched_by;
    it.match_note = m.note;
    if (m.person_id) it.person_id = m.person_id;
    auto cp = m.compound_id ? compound_paths.find(m.compound_id) : compound_paths.end();
    if (cp != compound_paths.end()) it.compound_id = m.compound_id;
    it.division_path = cp != compound_paths.end() ? cp->second : community.path;
    it.assignee_id = worker_for(workers, it.division_path);
    switch (m.bucket) {
      case cm::Bucket::kRegistered:
        it.status = "closed", it.outcome = "registered", it.outcome_reason = "registered before the list", it.outcome_at = now;
        ++out.counts.registered, ++out.counts.outcome_registered;
        break;
      case cm::Bucket::kDuplicate:
        it.status = "closed", it.outcome = "duplicate", it.outcome_reason = m.note, it.outcome_at = now;
        ++out.counts.duplicate, ++out.counts.outcome_duplicate;
        break;
      case cm::Bucket::kUnregistered: it.status = "open", ++out.counts.unregistered, ++out.counts.open; break;
      case cm::Bucket::kUnmatched: it.status = "open", ++out.counts.unmatched, ++out.counts.open; break;
    }
  }
  for (const auto& m : matches) out.matched.push_back(m.person_id);
  if (in.dry_run) return out;
  step("write", 0, rows.size());
  rt.db.write([&](store::Connection& c) {
    store::PushList l;
    l.name = in.name.empty() ? in.file_name : in.name;
    if (l.name.empty()) l.name = "核查名单";
    l.community_id = community.id;
    l.community_path = community.path;
    l.deadline = in.deadline;
    l.file_name = in.file_name;
    l.total = out.counts.total;
    l.uploaded_by = caller.who.user_id;
    l.created_at = now;
    out.list_id = store::insert_push_list(c, l);
    for (auto& it : items) it.list_id = out.list_id;
    store::insert_push_items(c, items);
    audit(c, caller, "push_list.upload", "push_list", std::to_string(out.list_id),
          json::serialize(json::object{{"community_id", community.id}, {"total", out.counts.total},
                                       {"registered", out.counts.registered}, {"unregistered", out.counts.unregistered},
                                       {"unmatched", out.counts.unmatched}, {"duplicate", out.counts.duplicate},
                                       {"encoding", out.encoding}}));
  });
  step("write", rows.size(), rows.size());
  return out;
}

std::vector<int64_t> match_push_list_by_join(Runtime& rt, const Caller& caller, int64_t community_id, std::string_view bytes) {
  auto parsed = cm::parse_push_list(read_table_file(bytes));
  if (!parsed.errors.empty()) throw invalid("invalid_rows", "the list has bad rows: import it to see them");
  std::vector<cm::ListRow> rows;
  rows.reserve(parsed.rows.size());
  for (const auto& r : parsed.rows) rows.push_back({r.line, r.id_number.empty() ? "" : rt.keys.id_hash(r.id_number), r.phone, r.name});
  std::vector<int64_t> out;
  rt.db.read([&](store::Connection& c) {
    auto community = community_of(c, community_id);
    require_within(caller, {community.path, std::nullopt});
    out = store::match_list_by_join(c, community.path, rows);
  });
  return out;
}

store::PushList get_push_list(Runtime& rt, const Caller& caller, int64_t id, store::PushCounts* counts) {
  store::PushList l;
  rt.db.read([&](store::Connection& c) {
    l = must_list(c, id);
    require_within(caller, {l.community_path, std::nullopt});
    if (counts) *counts = store::count_push_items(c, id, "", now_ms());
  });
  return l;
}

std::vector<PushListRow> push_lists(Runtime& rt, const Caller& caller, std::optional<int64_t> community_id) {
  std::vector<PushListRow> out;
  rt.db.read([&](store::Connection& c) {
    std::string path = caller.who.division_path.empty() ? "/-none-/" : caller.who.division_path;
    if (community_id) {
      auto d = store::find_division(c, *community_id);
      if (!d) throw not_found("division");
      require_within(caller, {d->path, std::nullopt});
      path = d->path;
    }
    Millis now = now_ms();
    for (auto& l : store::list_push_lists(c, path, 200)) out.push_back({l, store::count_push_items(c, l.id, "", now)});
  });
  return out;
}

PushBoard push_board(Runtime& rt, const Caller& caller, int64_t community_id, std::optional<int64_t> list_id) {
  PushBoard b;
  rt.db.read([&](store::Connection& c) {
    auto community = community_of(c, community_id);
    require_within(caller, {community.path, std::nullopt});
    if (list_id && must_list(c, *list_id).community_id != community.id) throw invalid("invalid_field", "the list is of another community");
    Millis now = now_ms();
    b.totals = store::count_push_items(c, list_id, community.path, now);
    for (const auto& d : store::divisions_under(c, community.path))
      if (d.level == "compound") b.compounds.emplace_back(d, store::count_push_items(c, list_id, d.path, now));
  });
  return b;
}

store::PageOf<store::PushItem> push_items(Runtime& rt, const Caller& caller, store::PushItemFilter f, const store::Page& p) {
  store::PageOf<store::PushItem> out;
  f.now = now_ms();
  rt.db.write([&](store::Connection& c) {
    if (f.list_id) require_within(caller, {must_list(c, *f.list_id).community_path, std::nullopt});
    // A compound worker sees the items of its compound; the community's worker all of them.
    f.within_path = caller.who.division_path.empty() ? "/-none-/" : caller.who.division_path;
    out = store::list_push_items(c, f, p);
    if (!out.items.empty())
      audit(c, caller, "push_list.items", "push_list", f.list_id ? std::to_string(*f.list_id) : "",
            json::serialize(json::object{{"count", out.items.size()}}));
  });
  return out;
}

store::PushItem record_push_outcome(Runtime& rt, const Caller& caller, int64_t list_id, int64_t line,
                                    const std::string& outcome, const std::string& reason) {
  static const std::vector<std::string> outcomes = {"registered", "not_here", "moved_away", "duplicate"};
  if (std::find(outcomes.begin(), outcomes.end(), outcome) == outcomes.end())
    throw invalid("invalid_field", "outcome must be registered, not_here, moved_away or duplicate");
  if (reason.size() > 500) throw invalid("invalid_field", "reason has at most 500 bytes");
  if ((outcome == "not_here" || outcome == "duplicate") && reason.size() < 2)
    throw invalid("missing_field", "say why (reason): where the person is, or which entry it duplicates");
  const Millis now = now_ms();
  store::PushItem out;
  rt.db.write([&](store::Connection& c) {
    auto item = must_item(c, list_id, line);
    require_within(caller, {item.division_path, std::nullopt});
    if (item.status != "open") throw conflict("closed", "this item has its outcome already: " + item.outcome);
    if (outcome == "registered") {
      auto list = must_list(c, list_id);
      if (!item.person_id || !store::has_returnee_since(c, *item.person_id, list.created_at - kRegisteredWindow))
        throw invalid("not_registered", "register the person as a returnee first: the item closes by itself then");
    }
    store::set_item_outcome(c, list_id, line, outcome, reason, caller.who.user_id, now);
    out = must_item(c, list_id, line);
    audit(c, caller, "push_list.outcome", "push_list", std::to_string(list_id),
          json::serialize(json::object{{"line", line}, {"outcome", outcome}, {"reason", reason}}));
  });
  return out;
}

store::PushItem assign_push_item(Runtime& rt, const Caller& caller, int64_t list_id, int64_t line, int64_t user_id) {
  store::PushItem out;
  rt.db.write([&](store::Connection& c) {
    auto item = must_item(c, list_id, line);
    require_within(caller, {item.division_path, std::nullopt});
    auto list = must_list(c, list_id);
    auto u = store::find_user(c, user_id);
    if (!u || u->role != "community_worker" || u->disabled) throw invalid("invalid_field", "user_id is not an active community worker");
    if (u->division_path.rfind(list.community_path, 0) != 0 && list.community_path.rfind(u->division_path, 0) != 0)
      throw invalid("invalid_field", "the worker does not work in this list's community");
    if (item.status != "open") throw conflict("closed", "this item has its outcome already");
    store::assign_item(c, list_id, line, user_id);
    out = must_item(c, list_id, line);
    audit(c, caller, "push_list.assign", "push_list", std::to_string(list_id),
          json::serialize(json::object{{"line", line}, {"user_id", user_id}}));
  });
  return out;
}

store::PageOf<store::PushItem> my_push_todo(Runtime& rt, const Caller& caller, const store::Page& p) {
  store::PushItemFilter f;
  f.assignee_id = caller.who.user_id;
  f.status = "open";
  f.now = now_ms();
  store::PageOf<store::PushItem> out;
  rt.db.read([&](store::Connection& c) { out = store::list_push_items(c, f, p); });
  return out;
}

int64_t remind_overdue_push_items(store::Database& db, Millis now) {
  int64_t n = 0;
  db.write([&](store::Connection& c) {
    n = store::mark_overdue_reminded(c, now, now - kDayMillis);
    if (n > 0) {
      Caller system;
      system.who.username = "system";
      audit(c, system, "push_list.remind", "push_list", "", json::serialize(json::object{{"items", n}}));
    }
  });
  return n;
}

}  // namespace epinet::service
