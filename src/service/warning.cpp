#include "service/warning.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <set>

#include "core/error.h"
#include "core/table_file.h"
#include "store/management.h"
#include "store/people.h"

namespace epinet::service {
namespace json = boost::json;
namespace ww = domain::warning;

namespace {

// Own records are rolled up again for this many days at each run (the
// check-ins behind checkpoint fevers are purged after the retention period).
constexpr int kOwnDays = 14;

// One escalation at a time in this process: reading the open alert and
// creating one must not interleave (PostgreSQL runs at READ COMMITTED).
std::mutex& escalation_mu() {
  static std::mutex mu;
  return mu;
}

Caller system_caller() {
  Caller c{{}, "local"};
  c.who.username = "epinet warning";
  return c;
}

std::string who(const Caller& caller) { return caller.who.username.empty() ? "epinet" : caller.who.username; }

int32_t local_day(const Config& config, Millis t) {
  Millis local = t + config.utc_offset_minutes * 60000LL;
  return static_cast<int32_t>((local - ((local % kDayMillis) + kDayMillis) % kDayMillis) / kDayMillis);
}

Millis day_start(const Config& config, int32_t day) { return day * kDayMillis - config.utc_offset_minutes * 60000LL; }

std::string setting(const Config& config, const std::string& key) {
  auto it = config.raw.find(key);
  return it == config.raw.end() ? std::string() : it->second;
}

long int_setting(const Config& config, const std::string& key, long lo, long hi) {
  std::string v = setting(config, key);
  try {
    size_t pos = 0;
    long n = std::stol(v, &pos);
    if (pos != v.size() || n < lo || n > hi) throw std::out_of_range(v);
    return n;
  } catch (const std::exception&) {
    throw invalid("invalid_setting", key + " must be a whole number from " + std::to_string(lo) + " to " +
                                         std::to_string(hi) + ", not '" + v + "'");
  }
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::map<std::string, std::string> district_names(store::Connection& c) {
  std::map<std::string, std::string> m;
  for (const auto& d : store::list_districts(c)) m[d.code] = d.name;
  return m;
}

json::object alert_payload(const store::WarningAlert& a, const std::string& district_name, const std::string& event) {
  auto o = alert_json(a);
  o["district_name"] = district_name;
  return {{"event", event}, {"alert", std::move(o)}};
}

// Appends the event, the audit entry and (when a webhook is set) the outbox
// row, in the caller's transaction.
void record_alert_event(store::Connection& c, Runtime& rt, const Caller& caller, const store::WarningAlert& a,
                        const std::string& action, const std::string& from, const std::string& note, Millis now) {
  store::insert_alert_event(c, {0, a.id, now, who(caller), action, from, a.status, note});
  json::object d{{"kind", a.kind}, {"division_code", a.division_code}, {"status", a.status}};
  if (!note.empty()) d["note"] = note;
  audit(c, caller, "warning.alert." + action, "warning_alert", std::to_string(a.id), json::serialize(d));
  if (!setting(rt.config, "EPINET_WARNING_WEBHOOK_URL").empty()) {
    std::string event = action == "create"     ? "alert.created"
                        : action == "evidence" ? "alert.evidence"
                                               : "alert." + action;
    auto names = district_names(c);
    store::insert_outbox(
        c, {0, a.id, event, json::serialize(alert_payload(a, names[a.division_code], event)), 0, now, {}, ""}, now);
  }
}

void wake_worker(Runtime& rt) {
  if (rt.warning) rt.warning->wake();
}

// Signals of a district near `day`, escalated into its open multi-point alert
// or a new one. REQUIRES: escalation_mu() held; runs in the caller's transaction.
std::optional<int64_t> escalate(store::Connection& c, Runtime& rt, const WarningSettings& s,
                                const std::string& district, int32_t day, Millis now) {
  // Counts may arrive late: a signal on `day` can pair with signals of the
  // days before it and after it, so every window that holds `day` is tried.
  auto rows = store::list_signals(c, district, day - s.rule.window_days + 1, day + s.rule.window_days - 1);
  std::vector<ww::SignalRef> refs;
  std::map<int64_t, store::WarningSignal> by_id;
  for (const auto& r : rows) {
    auto ch = ww::parse_channel(r.channel);
    if (!ch) continue;
    refs.push_back({r.id, *ch, static_cast<int32_t>(r.day)});
    by_id[r.id] = r;
  }
  std::vector<ww::SignalRef> evidence;
  std::set<int64_t> taken;
  for (int32_t end = day; end < day + s.rule.window_days; ++end)
    for (const auto& e : ww::escalation_evidence(refs, end, s.rule))
      if (taken.insert(e.id).second) evidence.push_back(e);
  if (evidence.empty()) return std::nullopt;
  std::sort(evidence.begin(), evidence.end(), [](const ww::SignalRef& a, const ww::SignalRef& b) {
    return std::tie(a.day, a.id) < std::tie(b.day, b.id);
  });
  bool any_new =
      std::any_of(evidence.begin(), evidence.end(), [&](const ww::SignalRef& e) { return !by_id[e.id].alert_id; });
  auto open = store::open_multi_point(c, district);
  if (!any_new) return std::nullopt;
  Caller sys = system_caller();
  auto names = district_names(c);
  json::array ev;
  std::set<std::string> channels;
  Millis first = now;
  for (const auto& e : evidence) {
    const auto& sig = by_id[e.id];
    ev.push_back(signal_json(sig));
    channels.insert(sig.channel);
    first = std::min(first, sig.created_at);
  }
  if (open) {
    // One alert per district while it is open: new evidence joins it.
    json::array merged;
    std::set<int64_t> have;
    try {
      json::value old = json::parse(open->evidence);
      for (auto& v : old.as_array()) {
        have.insert(v.as_object().at("id").to_number<int64_t>());
        merged.push_back(v);
      }
    } catch (const std::exception&) {
    }
    for (auto& v : ev)
      if (!have.count(v.as_object().at("id").to_number<int64_t>())) merged.push_back(v);
    open->evidence = json::serialize(merged);
    open->first_signal_at = std::min(open->first_signal_at, first);
    open->window_to_day = std::max<int64_t>(open->window_to_day.value_or(day), day);
    store::update_alert(c, *open, now);
    for (const auto& e : evidence)
      if (!by_id[e.id].alert_id) store::set_signal_alert(c, e.id, open->id);
    record_alert_event(c, rt, sys, *open, "evidence", open->status, std::to_string(evidence.size()) + " 个信号", now);
    return open->id;
  }
  store::WarningAlert a;
  a.kind = "multi_point";
  a.level = "red";
  a.division_code = district;
  a.status = "new";
  static const std::map<std::string, std::string> kZh = {
      {"fever_clinic", "发热门诊"},     {"pharmacy", "药店"},
      {"checkpoint_fever", "卡口发热"}, {"positive_tests", "核酸阳性"},
      {"monitoring_fever", "监测发热"}, {"absence", "缺勤"}};
  std::string list;
  for (const auto& ch : channels) list += (list.empty() ? "" : "、") + kZh.at(ch);
  a.title = names[district] + "：" + list;
  a.evidence = json::serialize(ev);
  a.first_signal_at = first;
  a.window_to_day = day;
  a.id = store::insert_alert(c, a, now);
  a.created_at = now;
  for (const auto& e : evidence) store::set_signal_alert(c, e.id, a.id);
  record_alert_event(c, rt, sys, a, "create", "",
                     std::to_string(evidence.size()) + " 个信号 / " + std::to_string(channels.size()) + " 个渠道", now);
  return a.id;
}

// Rolls own records of days [from, to] up into warning_counts (source 'epinet').
void roll_up_own(store::Connection& c, Runtime& rt, int32_t from, int32_t to, Millis now) {
  const int64_t offset = rt.config.utc_offset_minutes * 60000LL;
  auto districts = store::list_districts(c);
  auto put = [&](const std::string& channel, const std::vector<store::OwnCount>& counts) {
    std::map<std::pair<std::string, int64_t>, int64_t> m;
    for (const auto& x : counts) m[{x.division_code, x.day}] = x.count;
    for (const auto& d : districts)
      for (int32_t day = from; day <= to; ++day) {
        auto it = m.find({d.code, day});
        int64_t n = it == m.end() ? 0 : it->second;
        auto old = store::stored_count(c, d.code, channel, day, "epinet");
        if (ww::change_of(old, n) == ww::CountChange::kUnchanged) continue;
        if (!old && n == 0) continue;  // nothing to record yet
        store::put_count(c, {d.code, channel, day, "epinet", n}, old, "epinet", std::nullopt, now);
      }
  };
  put("positive_tests", store::positive_tests_by_day(c, from, to, offset));
  put("fever_clinic", store::hospital_fevers_by_day(c, from, to, offset));
  put("checkpoint_fever", store::checkpoint_fevers_by_day(c, from, to, offset, rt.config.fever_threshold_c));
  // Fever reports of people under management (daily health reports).
  std::vector<store::OwnCount> reports;
  for (const auto& x : store::fever_reports_by_district_day(
           c, from * kDayMillis - offset, (to + 1) * kDayMillis - offset, rt.config.utc_offset_minutes))
    if (!x.district_code.empty()) reports.push_back({x.district_code, (x.day + offset) / kDayMillis, x.count});
  put("monitoring_fever", reports);
}

struct Computed {
  int32_t first_day = 0;
  std::vector<double> observed;
  std::vector<std::pair<std::string, ww::Detection>> detections;
};

// The series of one district's channel up to today, with each configured
// method's bounds for (at least) its last `need` days.
Computed compute(store::Connection& c, const WarningSettings& s, const std::string& district, ww::Channel channel,
                 int32_t today, int need) {
  Computed out;
  std::string ch(ww::channel_name(channel));
  int32_t from = today - s.history_days + 1;
  auto first = store::first_count_day(c, district, ch);
  if (first && *first > from) from = static_cast<int32_t>(*first);
  if (from > today) from = today;
  out.first_day = from;
  out.observed.assign(today - from + 1, 0.0);  // a day without any report counts 0
  for (const auto& t : store::day_totals(c, district, ch, from, today))
    out.observed[t.day - from] = static_cast<double>(t.count);
  ww::Series series;
  series.observed = out.observed;
  series.frequency = 365;
  for (int32_t d = from; d <= today; ++d) series.dates.push_back(d);
  auto it = s.methods.find(channel);
  if (it == s.methods.end()) return out;
  const size_t n = series.observed.size();
  for (auto m : it->second) {
    // Only the days needed (a Farrington fit per day is the costly part);
    // when they start before the method can, its own first day.
    m.range.from = n > static_cast<size_t>(need) ? n - need : 0;
    std::optional<ww::Detection> det;
    try {
      det = ww::detect(series, m);
    } catch (const Error&) {
      m.range = {};
      try {
        det = ww::detect(series, m);
      } catch (const Error&) {
        // Too short a series for this method (e.g. Farrington needs years): no bounds.
      }
    }
    out.detections.emplace_back(std::string(ww::method_name(m.method)), det ? std::move(*det) : ww::Detection(n));
  }
  return out;
}

// Evaluates one series and stores the signals of its last days. REQUIRES:
// escalation_mu() held; in the caller's transaction.
void evaluate_series(store::Connection& c, Runtime& rt, const WarningSettings& s, const std::string& district,
                     ww::Channel channel, int32_t today, Millis now, EvaluationReport& report) {
  auto comp = compute(c, s, district, channel, today, s.evaluate_days);
  ++report.series;
  int32_t n = static_cast<int32_t>(comp.observed.size());
  std::set<int32_t> days;
  for (int32_t i = std::max(0, n - s.evaluate_days); i < n; ++i) {
    store::WarningSignal sig;
    for (const auto& [name, det] : comp.detections) {
      if (det.alarm[i] != ww::Alarm::kYes) continue;
      if (sig.method.empty()) {
        sig.method = name;
        sig.upperbound = det.upperbound[i];
      }
      sig.methods += (sig.methods.empty() ? "" : ",") + name;
    }
    if (sig.method.empty()) continue;
    sig.division_code = district;
    sig.channel = std::string(ww::channel_name(channel));
    sig.day = comp.first_day + i;
    sig.observed = comp.observed[i];
    sig.created_at = now;
    auto [id, fresh] = store::insert_signal(c, sig);
    if (!fresh) continue;
    sig.id = id;
    report.new_signals.push_back(sig);
    days.insert(static_cast<int32_t>(sig.day));
    audit(c, system_caller(), "warning.signal", "warning_signal", std::to_string(id),
          json::serialize(signal_json(sig)));
  }
  for (int32_t d : days)
    if (auto a = escalate(c, rt, s, district, d, now)) report.alerts.push_back(*a);
}

std::string district_of_path(store::Connection& c, const std::string& path) {
  for (const auto& d : store::list_districts(c))
    if (path.rfind(d.path, 0) == 0) return d.code;
  return "";
}

// An immediate alert (a positive test, a fever at a hospital entrance), with
// its trigger signal, then escalation. REQUIRES: escalation_mu() held.
void trigger_alert(store::Connection& c, Runtime& rt, const std::string& district, const std::string& kind,
                   const std::string& level, const std::string& channel, const std::string& title,
                   json::object evidence, Millis at, Millis now) {
  auto s = warning_settings(rt.config);
  int32_t day = local_day(rt.config, at);
  roll_up_own(c, rt, day, day, now);
  int64_t observed = 0;
  for (const auto& t : store::day_totals(c, district, channel, day, day)) observed = t.count;
  store::WarningSignal sig;
  sig.division_code = district;
  sig.channel = channel;
  sig.day = day;
  sig.method = "trigger";
  sig.methods = "trigger";
  sig.observed = static_cast<double>(std::max<int64_t>(observed, 1));
  sig.created_at = now;
  auto [sid, fresh] = store::insert_signal(c, sig);
  sig.id = sid;
  Caller sys = system_caller();
  if (fresh) audit(c, sys, "warning.signal", "warning_signal", std::to_string(sid), json::serialize(signal_json(sig)));
  store::WarningAlert a;
  a.kind = kind;
  a.level = level;
  a.division_code = district;
  a.status = "new";
  a.title = title;
  evidence["signal"] = signal_json(sig);
  a.evidence = json::serialize(json::array{evidence});
  a.first_signal_at = at;
  a.id = store::insert_alert(c, a, now);
  a.created_at = now;
  record_alert_event(c, rt, sys, a, "create", "", "", now);
  escalate(c, rt, s, district, day, now);
}

}  // namespace

namespace {
json::value opt_time(const std::optional<Millis>& t) { return t ? json::value(iso8601(*t)) : json::value(nullptr); }
json::value opt_text(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

}  // namespace

json::object alert_json(const store::WarningAlert& a) {
  json::value evidence;
  try {
    evidence = json::parse(a.evidence);
  } catch (const std::exception&) {
    evidence = json::array{};
  }
  json::object o{{"id", a.id},
                 {"kind", a.kind},
                 {"level", a.level},
                 {"division_code", a.division_code},
                 {"status", a.status},
                 {"title", a.title},
                 {"evidence", evidence},
                 {"first_signal_at", iso8601(a.first_signal_at)},
                 {"created_at", iso8601(a.created_at)},
                 {"verifying_at", opt_time(a.verifying_at)},
                 {"verifying_by", opt_text(a.verifying_by)},
                 {"closed_at", opt_time(a.closed_at)},
                 {"closed_by", opt_text(a.closed_by)},
                 {"response_owner", opt_text(a.response_owner)},
                 {"response_note", opt_text(a.response_note)},
                 {"dismiss_reason", opt_text(a.dismiss_reason)}};
  // The time from the first signal to verification, in seconds.
  o["time_to_verify_s"] = a.verifying_at
                              ? json::value(static_cast<double>(*a.verifying_at - a.first_signal_at) / 1000.0)
                              : json::value(nullptr);
  return o;
}

json::object signal_json(const store::WarningSignal& s) {
  return {
      {"id", s.id},
      {"division_code", s.division_code},
      {"channel", s.channel},
      {"date", ww::format_day(static_cast<int32_t>(s.day))},
      {"method", s.method},
      {"methods", s.methods},
      {"observed", s.observed},
      {"upperbound", s.upperbound && std::isfinite(*s.upperbound) ? json::value(*s.upperbound) : json::value(nullptr)},
      {"alert_id", s.alert_id ? json::value(*s.alert_id) : json::value(nullptr)},
      {"created_at", iso8601(s.created_at)}};
}

WarningSettings warning_settings(const Config& config) {
  WarningSettings s;
  for (auto ch : ww::all_channels()) {
    std::string key = "EPINET_WARNING_METHODS_" + upper(std::string(ww::channel_name(ch)));
    std::string list = setting(config, key);
    std::vector<ww::DetectSettings> methods;
    size_t start = 0;
    while (start <= list.size() && !list.empty()) {
      size_t comma = list.find(',', start);
      std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      if (!name.empty()) {
        auto m = ww::parse_method(name);
        if (!m) throw invalid("invalid_setting", key + ": unknown method '" + name + "'");
        auto d = ww::default_settings(*m);
        d.ears.baseline = static_cast<int>(int_setting(config, "EPINET_WARNING_EARS_BASELINE", 3, 365));
        methods.push_back(d);
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    s.methods[ch] = methods;
  }
  s.history_days = static_cast<int>(int_setting(config, "EPINET_WARNING_HISTORY_DAYS", 28, 3660));
  s.evaluate_days = static_cast<int>(int_setting(config, "EPINET_WARNING_EVALUATE_DAYS", 1, 60));
  s.rule.window_days = static_cast<int>(int_setting(config, "EPINET_WARNING_ESCALATION_DAYS", 1, 30));
  s.rule.min_channels = static_cast<int>(int_setting(config, "EPINET_WARNING_ESCALATION_CHANNELS", 2, 6));
  s.webhook_url = setting(config, "EPINET_WARNING_WEBHOOK_URL");
  if (!s.webhook_url.empty() && s.webhook_url.rfind("http://", 0) != 0)
    throw invalid("invalid_setting",
                  "EPINET_WARNING_WEBHOOK_URL must start with http:// (put an HTTPS relay in front)");
  s.webhook_retry_ms = int_setting(config, "EPINET_WARNING_WEBHOOK_RETRY_S", 1, 86400) * 1000;
  s.webhook_retry_max_ms = int_setting(config, "EPINET_WARNING_WEBHOOK_RETRY_MAX_S", 1, 86400) * 1000;
  return s;
}

std::vector<store::District> visible_districts(Runtime& rt, const Caller& caller) {
  std::vector<store::District> all, out;
  std::string venue_path;
  rt.db.read([&](store::Connection& c) {
    all = store::list_districts(c);
    if (caller.who.venue_id)
      if (auto v = store::find_venue(c, *caller.who.venue_id)) venue_path = v->division_path;
  });
  for (const auto& d : all) {
    bool ok;
    if (caller.who.venue_id)
      ok = !venue_path.empty() && venue_path.rfind(d.path, 0) == 0;
    else
      ok = !caller.who.division_path.empty() &&
           (d.path.rfind(caller.who.division_path, 0) == 0 || caller.who.division_path.rfind(d.path, 0) == 0);
    if (ok) out.push_back(d);
  }
  return out;
}

namespace {
const store::District& require_district(const std::vector<store::District>& visible, const std::string& code) {
  for (const auto& d : visible)
    if (d.code == code) return d;
  throw Error(ErrorKind::kNotFound, "not_found", "district " + code + " not found in your jurisdiction");
}
std::vector<std::string> codes_of(const std::vector<store::District>& v) {
  std::vector<std::string> out;
  for (const auto& d : v) out.push_back(d.code);
  return out;
}
ww::Channel require_channel(const std::string& name) {
  auto ch = ww::parse_channel(name);
  if (!ch)
    throw invalid(
        "invalid_query",
        "channel must be one of fever_clinic, pharmacy, checkpoint_fever, positive_tests, monitoring_fever, absence");
  return *ch;
}
}  // namespace

SeriesView series_view(Runtime& rt, const Caller& caller, const std::string& division_code, const std::string& channel,
                       int days) {
  auto visible = visible_districts(rt, caller);
  const auto& d = require_district(visible, division_code);
  auto ch = require_channel(channel);
  if (days < 7 || days > 3660) throw invalid("invalid_query", "days must be from 7 to 3660");
  auto s = warning_settings(rt.config);
  int32_t today = local_day(rt.config, now_ms());
  SeriesView out;
  out.division_code = d.code;
  out.district_name = d.name;
  out.channel = std::string(ww::channel_name(ch));
  rt.db.read([&](store::Connection& c) {
    auto comp = compute(c, s, d.code, ch, today, days);
    for (const auto& [name, det] : comp.detections) out.methods.push_back(name);
    int32_t n = static_cast<int32_t>(comp.observed.size());
    // Days before the series' first count are shown as 0.
    for (int32_t day = today - days + 1; day <= today; ++day) {
      SeriesPoint p;
      p.day = day;
      int32_t i = day - comp.first_day;
      if (i >= 0 && i < n) {
        p.observed = comp.observed[i];
        for (const auto& [name, det] : comp.detections) {
          p.upperbound[name] = det.upperbound[i];
          p.alarm[name] = det.alarm[i] == ww::Alarm::kYes;
        }
      }
      out.points.push_back(std::move(p));
    }
    for (auto& sig : store::list_signals(c, d.code, today - days + 1, today))
      if (sig.channel == out.channel) out.signals.push_back(sig);
  });
  return out;
}

CountImport import_counts(Runtime& rt, const Caller& caller, const std::string& filename, const std::string& bytes) {
  if (bytes.empty()) throw invalid("invalid_file", "the file is empty");
  TableFile table = read_table_file(bytes);
  auto visible = visible_districts(rt, caller);
  std::set<std::string> codes;
  for (const auto& d : visible) codes.insert(d.code);
  std::vector<ww::ImportCells> cells;
  for (auto& r : table.rows) cells.push_back({r.line, r.cells});
  Millis now = now_ms();
  int32_t today = local_day(rt.config, now);
  std::string default_source = filename.empty() ? who(caller) : filename;
  auto parsed = ww::parse_import(table.header, cells, codes, today, default_source);
  CountImport out;
  out.rows = static_cast<int64_t>(table.rows.size());
  if (parsed.rows.empty() && parsed.errors.empty()) parsed.errors.push_back({1, "the file has no rows"});
  if (!parsed.errors.empty()) {
    out.errors = std::move(parsed.errors);
    return out;
  }
  auto s = warning_settings(rt.config);
  std::lock_guard lock(escalation_mu());
  rt.db.write([&](store::Connection& c) {
    store::WarningImport wi;
    wi.filename = filename.empty() ? "upload" : filename;
    wi.format = table.format == TableFormat::kXlsx ? "xlsx" : "csv";
    wi.uploaded_by = who(caller);
    wi.uploaded_at = now;
    wi.rows_total = out.rows;
    wi.id = store::insert_import(c, wi);
    std::set<std::pair<std::string, ww::Channel>> touched;
    for (const auto& r : parsed.rows) {
      std::string ch(ww::channel_name(r.channel));
      auto old = store::stored_count(c, r.division_code, ch, r.day, r.source);
      switch (ww::change_of(old, r.count)) {
        case ww::CountChange::kUnchanged:
          ++wi.unchanged;
          continue;
        case ww::CountChange::kInsert:
          ++wi.inserted;
          break;
        case ww::CountChange::kCorrect:
          ++wi.corrected;
          break;
      }
      store::put_count(c, {r.division_code, ch, r.day, r.source, r.count}, old, who(caller), wi.id, now);
      touched.insert({r.division_code, r.channel});
    }
    store::update_import_totals(c, wi);
    audit(c, caller, "warning.import", "warning_import", std::to_string(wi.id),
          json::serialize(json::object{{"filename", wi.filename},
                                       {"format", wi.format},
                                       {"rows", wi.rows_total},
                                       {"inserted", wi.inserted},
                                       {"corrected", wi.corrected},
                                       {"unchanged", wi.unchanged}}));
    out.import_id = wi.id;
    out.inserted = wi.inserted;
    out.corrected = wi.corrected;
    out.unchanged = wi.unchanged;
    EvaluationReport report;
    for (const auto& [district, ch] : touched) evaluate_series(c, rt, s, district, ch, today, now, report);
    out.new_signals = std::move(report.new_signals);
    out.alerts = std::move(report.alerts);
  });
  wake_worker(rt);
  return out;
}

std::vector<store::CountHistory> count_history(Runtime& rt, const Caller& caller, const std::string& division_code,
                                               const std::string& channel, std::optional<int32_t> day) {
  auto visible = visible_districts(rt, caller);
  require_district(visible, division_code);
  auto ch = require_channel(channel);
  std::vector<store::CountHistory> out;
  rt.db.read([&](store::Connection& c) {
    out = store::count_history(c, division_code, std::string(ww::channel_name(ch)), day, 500);
  });
  return out;
}

EvaluationReport evaluate_all(Runtime& rt, const Caller& caller, Millis now,
                              std::optional<std::pair<std::string, std::string>> only) {
  auto s = warning_settings(rt.config);
  int32_t today = local_day(rt.config, now);
  EvaluationReport report;
  std::lock_guard lock(escalation_mu());
  rt.db.write([&](store::Connection& c) {
    roll_up_own(c, rt, today - kOwnDays + 1, today, now);
    for (const auto& d : store::list_districts(c))
      for (auto ch : ww::all_channels()) {
        if (only && (only->first != d.code || only->second != ww::channel_name(ch))) continue;
        evaluate_series(c, rt, s, d.code, ch, today, now, report);
      }
    audit(c, caller, "warning.evaluate", "warning", "",
          json::serialize(json::object{
              {"series", report.series}, {"signals", report.new_signals.size()}, {"alerts", report.alerts.size()}}));
  });
  wake_worker(rt);
  return report;
}

void warning_jobs(Runtime& rt, Millis now) {
  static std::mutex mu;
  static int32_t last_day = -1;
  int32_t today = local_day(rt.config, now);
  {
    std::lock_guard lock(mu);
    if (last_day == today) return;
    last_day = today;
  }
  try {
    auto r = evaluate_all(rt, system_caller(), now);
    spdlog::info(R"({{"type":"warning_daily","series":{},"signals":{},"alerts":{}}})", r.series, r.new_signals.size(),
                 r.alerts.size());
  } catch (const std::exception& e) {
    std::lock_guard lock(mu);
    last_day = -1;  // try again at the next round
    spdlog::error(R"({{"type":"warning_daily_failed","error":{}}})", json::serialize(json::string(e.what())));
  }
}

void on_positive_test(Runtime& rt, int64_t test_id, int64_t person_id) {
  Millis now = now_ms();
  std::lock_guard lock(escalation_mu());
  rt.db.write([&](store::Connection& c) {
    auto p = store::find_person(c, person_id);
    if (!p) return;
    std::string district = district_of_path(c, p->division_path);
    if (district.empty()) return;
    auto names = district_names(c);
    json::object ev{{"type", "positive_test"},
                    {"test_id", std::to_string(test_id)},
                    {"person_id", person_id},
                    {"person", p->id_masked},
                    {"division_name", p->division_name}};
    trigger_alert(c, rt, district, "positive_test", "red", "positive_tests", names[district] + " " + p->division_name,
                  std::move(ev), now, now);
  });
  wake_worker(rt);
}

void on_fever_handover(Runtime& rt, int64_t venue_id, int64_t handover_id) {
  Millis now = now_ms();
  std::lock_guard lock(escalation_mu());
  rt.db.write([&](store::Connection& c) {
    auto v = store::find_venue(c, venue_id);
    if (!v || v->type != "hospital") return;
    auto h = store::find_handover(c, venue_id, handover_id);
    if (!h) return;
    std::string district = district_of_path(c, v->division_path);
    if (district.empty()) return;
    json::object ev{{"type", "hospital_fever"},
                    {"venue_id", venue_id},
                    {"venue_name", v->name},
                    {"handover_id", std::to_string(handover_id)},
                    {"temperature_c", h->temperature_c}};
    trigger_alert(c, rt, district, "hospital_fever", "orange", "fever_clinic", v->name, std::move(ev), h->opened_at,
                  now);
  });
  wake_worker(rt);
}

void warning_positive_test(Runtime& rt, int64_t test_id, int64_t person_id) noexcept {
  try {
    on_positive_test(rt, test_id, person_id);
  } catch (const std::exception& e) {
    spdlog::error(R"({{"type":"warning_trigger_failed","test_id":{},"error":{}}})", test_id,
                  json::serialize(json::string(e.what())));
  }
}

void warning_fever_handover(Runtime& rt, int64_t venue_id, int64_t handover_id) noexcept {
  try {
    if (rt.warning) rt.warning->post([&rt, venue_id, handover_id] { on_fever_handover(rt, venue_id, handover_id); });
  } catch (const std::exception& e) {
    spdlog::error(R"({{"type":"warning_trigger_failed","handover_id":{},"error":{}}})", handover_id,
                  json::serialize(json::string(e.what())));
  }
}

store::PageOf<store::WarningAlert> list_alerts(Runtime& rt, const Caller& caller, const std::string& status,
                                               const store::Page& p) {
  if (!status.empty() && status != "open" && !ww::parse_status(status))
    throw invalid("invalid_query", "status must be open, new, verifying, confirmed or dismissed");
  store::AlertFilter f;
  f.division_codes = codes_of(visible_districts(rt, caller));
  f.status = status;
  store::PageOf<store::WarningAlert> out;
  rt.db.read([&](store::Connection& c) { out = store::list_alerts(c, f, p); });
  return out;
}

namespace {
AlertView view_of(store::Connection& c, int64_t id) {
  AlertView v;
  auto a = store::find_alert(c, id);
  if (!a) throw not_found("alert");
  v.alert = *a;
  v.district_name = district_names(c)[a->division_code];
  v.events = store::list_alert_events(c, id);
  v.deliveries = store::list_outbox(c, id);
  return v;
}
void require_alert_visible(Runtime& rt, const Caller& caller, const store::WarningAlert& a) {
  auto codes = codes_of(visible_districts(rt, caller));
  if (std::find(codes.begin(), codes.end(), a.division_code) == codes.end()) throw not_found("alert");
}
}  // namespace

AlertView get_alert(Runtime& rt, const Caller& caller, int64_t id) {
  AlertView v;
  rt.db.read([&](store::Connection& c) { v = view_of(c, id); });
  require_alert_visible(rt, caller, v.alert);
  return v;
}

AlertView act_on_alert(Runtime& rt, const Caller& caller, int64_t id, const AlertActionInput& in) {
  auto action = ww::parse_action(in.action);
  if (!action) throw invalid("invalid_field", "action must be verify, confirm or dismiss");
  if (*action == ww::AlertAction::kConfirm && in.owner.size() < 2)
    throw invalid("missing_field", "confirming opens a response: name its owner");
  if (*action == ww::AlertAction::kDismiss && in.reason.size() < 4)
    throw invalid("missing_field", "a dismissal needs a reason of at least 4 characters");
  if (in.owner.size() > 200 || in.note.size() > 2000 || in.reason.size() > 2000)
    throw invalid("invalid_field", "owner, note or reason is too long");
  Millis now = now_ms();
  AlertView out;
  rt.db.write([&](store::Connection& c) {
    auto a = store::find_alert(c, id);
    if (!a) throw not_found("alert");
    require_alert_visible(rt, caller, *a);
    auto from = ww::parse_status(a->status).value_or(ww::AlertStatus::kNew);
    auto to = ww::transition(from, *action);
    if (!to)
      throw conflict("invalid_transition", "an alert that is " + a->status + " cannot be " +
                                               std::string(ww::action_name(*action) == "verify"    ? "verified"
                                                           : ww::action_name(*action) == "confirm" ? "confirmed"
                                                                                                   : "dismissed"));
    std::string from_name = a->status;
    a->status = std::string(ww::status_name(*to));
    std::string note = in.note;
    switch (*action) {
      case ww::AlertAction::kVerify:
        a->verifying_at = now;
        a->verifying_by = who(caller);
        break;
      case ww::AlertAction::kConfirm:
        a->closed_at = now;
        a->closed_by = who(caller);
        a->response_owner = in.owner;
        a->response_note = in.note;
        note = "owner: " + in.owner + (in.note.empty() ? "" : "; " + in.note);
        break;
      case ww::AlertAction::kDismiss:
        a->closed_at = now;
        a->closed_by = who(caller);
        a->dismiss_reason = in.reason;
        note = in.reason;
        break;
    }
    store::update_alert(c, *a, now);
    record_alert_event(c, rt, caller, *a, std::string(ww::action_name(*action)), from_name, note, now);
    out = view_of(c, id);
  });
  wake_worker(rt);
  return out;
}

Overview overview(Runtime& rt, const Caller& caller, Millis now) {
  auto s = warning_settings(rt.config);
  auto visible = visible_districts(rt, caller);
  int32_t today = local_day(rt.config, now);
  Overview out;
  store::AlertFilter f;
  f.division_codes = codes_of(visible);
  rt.db.read([&](store::Connection& c) {
    auto open = store::list_alerts(c, {f.division_codes, "open", std::nullopt}, {1, 500}).items;
    auto recent = store::list_alerts(c, {f.division_codes, "", day_start(rt.config, today)}, {1, 500}).items;
    auto signals = store::list_signals(c, "", today - s.rule.window_days + 1, today);
    for (const auto& d : visible) {
      Overview::DistrictState st;
      st.district = d;
      bool red = false, orange = false;
      for (const auto& a : open)
        if (a.division_code == d.code) {
          ++st.open_alerts;
          (a.level == "red" ? red : orange) = true;
        }
      for (const auto& sg : signals)
        if (sg.division_code == d.code) ++st.signals;
      st.level = red ? "red" : orange ? "orange" : st.signals ? "yellow" : "green";
      out.districts.push_back(std::move(st));
    }
    std::set<int64_t> ids;
    for (const auto& a : open)
      if (ids.insert(a.id).second) out.today.push_back(a);
    for (const auto& a : recent)
      if (ids.insert(a.id).second) out.today.push_back(a);
    // Time from the first signal to verification, over the last 30 days.
    auto month = store::list_alerts(c, {f.division_codes, "", now - 30 * kDayMillis}, {1, 5000}).items;
    std::vector<double> secs;
    for (const auto& a : month)
      if (a.verifying_at) secs.push_back(static_cast<double>(*a.verifying_at - a.first_signal_at) / 1000.0);
    out.verified = static_cast<int64_t>(secs.size());
    if (!secs.empty()) {
      double sum = 0;
      for (double x : secs) sum += x;
      out.mean_verify_s = sum / static_cast<double>(secs.size());
      std::sort(secs.begin(), secs.end());
      size_t n = secs.size();
      out.median_verify_s = n % 2 ? secs[n / 2] : (secs[n / 2 - 1] + secs[n / 2]) / 2;
    }
  });
  return out;
}

Unread unread_alerts(Runtime& rt, const Caller& caller) {
  auto codes = codes_of(visible_districts(rt, caller));
  Unread out;
  rt.db.read([&](store::Connection& c) {
    Millis since = store::seen_at(c, caller.who.user_id).value_or(0);
    out.unread = store::count_alerts_since(c, codes, since);
    out.latest = store::list_alerts(c, {codes, "open", std::nullopt}, {1, 5}).items;
  });
  return out;
}

void mark_alerts_seen(Runtime& rt, const Caller& caller) {
  Millis now = now_ms();
  rt.db.write([&](store::Connection& c) {
    store::set_seen_at(c, caller.who.user_id, now);
    audit(c, caller, "warning.seen", "user", std::to_string(caller.who.user_id));
  });
}

// ---- webhook

namespace {
namespace beast = boost::beast;
namespace asio = boost::asio;

// POSTs `body` to an http:// URL; returns "" on a 2xx answer, else what went wrong.
std::string post_json(const std::string& url, const std::string& body, int timeout_s) {
  std::string rest = url.substr(7);
  auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = hostport, port = "80";
  if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(timeout_s));
    stream.connect(resolver.resolve(host, port));
    beast::http::request<beast::http::string_body> req{beast::http::verb::post, target, 11};
    req.set(beast::http::field::host, hostport);
    req.set(beast::http::field::user_agent, "epinet-warning");
    req.set(beast::http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    beast::http::write(stream, req);
    beast::flat_buffer buf;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buf, res);
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    int status = static_cast<int>(res.result_int());
    if (status >= 200 && status < 300) return "";
    return "HTTP " + std::to_string(status);
  } catch (const std::exception& e) {
    return e.what();
  }
}
}  // namespace

std::optional<Millis> deliver_webhooks(Runtime& rt, Millis now) {
  auto s = warning_settings(rt.config);
  if (s.webhook_url.empty()) return std::nullopt;
  std::vector<store::OutboxItem> due;
  rt.db.read([&](store::Connection& c) { due = store::due_outbox(c, now, 50); });
  for (const auto& item : due) {
    std::string error = post_json(s.webhook_url, item.payload, s.webhook_timeout_s);
    int64_t attempts = item.attempts + 1;
    Millis next = now + ww::retry_delay_ms(static_cast<int>(attempts), s.webhook_retry_ms, s.webhook_retry_max_ms);
    rt.db.write(
        [&](store::Connection& c) { store::mark_outbox(c, item.id, error.empty(), attempts, next, error, now_ms()); });
    if (!error.empty())
      spdlog::warn(R"({{"type":"webhook_failed","outbox_id":{},"attempts":{},"error":{}}})", item.id, attempts,
                   json::serialize(json::string(error)));
  }
  std::optional<Millis> next;
  rt.db.read([&](store::Connection& c) { next = store::next_outbox_due(c); });
  return next;
}

WarningWorker::WarningWorker(Runtime& rt) : rt_(rt), thread_([this] { run(); }) {}

WarningWorker::~WarningWorker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WarningWorker::post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_all();
}

void WarningWorker::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void WarningWorker::run() {
  std::optional<Millis> next_due = now_ms();
  std::unique_lock lock(mu_);
  while (!stop_) {
    while (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      try {
        task();
      } catch (const std::exception& e) {
        spdlog::error(R"({{"type":"warning_task_failed","error":{}}})", json::serialize(json::string(e.what())));
      }
      lock.lock();
    }
    bool due = woken_ || (next_due && *next_due <= now_ms());
    if (due) {
      woken_ = false;
      lock.unlock();
      try {
        next_due = deliver_webhooks(rt_, now_ms());
      } catch (const std::exception& e) {
        next_due = now_ms() + 5000;
        spdlog::error(R"({{"type":"webhook_round_failed","error":{}}})", json::serialize(json::string(e.what())));
      }
      lock.lock();
      continue;
    }
    // Another server of the deployment may have written to the outbox: look again within a minute.
    Millis wait = next_due ? std::clamp<Millis>(*next_due - now_ms(), 10, 60000) : 60000;
    cv_.wait_for(lock, std::chrono::milliseconds(wait), [&] { return stop_ || woken_ || !tasks_.empty(); });
    if (!next_due || *next_due > now_ms() + 60000) next_due = now_ms() + 60000;
  }
}

}  // namespace epinet::service
