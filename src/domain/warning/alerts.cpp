#include "domain/warning/alerts.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>
#include <tuple>

#include "domain/warning/series.h"

namespace epinet::domain::warning {
namespace {

constexpr std::array<std::pair<std::string_view, Channel>, 6> kChannels{{
    {"fever_clinic", Channel::kFeverClinic},
    {"pharmacy", Channel::kPharmacy},
    {"checkpoint_fever", Channel::kCheckpointFever},
    {"positive_tests", Channel::kPositiveTests},
    {"monitoring_fever", Channel::kMonitoringFever},
    {"absence", Channel::kAbsence},
}};

// Chinese names a reporter's spreadsheet may use for a channel.
constexpr std::array<std::pair<std::string_view, Channel>, 6> kChannelsZh{{
    {"发热门诊", Channel::kFeverClinic},
    {"药店", Channel::kPharmacy},
    {"卡口发热", Channel::kCheckpointFever},
    {"核酸阳性", Channel::kPositiveTests},
    {"监测发热", Channel::kMonitoringFever},
    {"缺勤", Channel::kAbsence},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<size_t> column(const std::vector<std::string>& header, std::initializer_list<std::string_view> names) {
  for (size_t i = 0; i < header.size(); ++i)
    for (auto n : names)
      if (lower(header[i]) == n) return i;
  return std::nullopt;
}

}  // namespace

const std::vector<Channel>& all_channels() {
  static const std::vector<Channel> v = [] {
    std::vector<Channel> out;
    for (const auto& [n, c] : kChannels) out.push_back(c);
    return out;
  }();
  return v;
}

std::optional<Channel> parse_channel(std::string_view name) {
  for (const auto& [n, c] : kChannels)
    if (n == name) return c;
  for (const auto& [n, c] : kChannelsZh)
    if (n == name) return c;
  return std::nullopt;
}

std::string_view channel_name(Channel c) {
  for (const auto& [n, cc] : kChannels)
    if (cc == c) return n;
  return "?";
}

std::optional<int32_t> parse_day(std::string_view s) {
  if (s.size() < 8) return std::nullopt;
  int y = 0, m = 0, d = 0;
  char sep1 = 0, sep2 = 0;
  std::string text(s.substr(0, std::min<size_t>(s.size(), 10)));
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d%c%2d%c%2d%n", &y, &sep1, &m, &sep2, &d, &consumed) != 5) return std::nullopt;
  if (sep1 != sep2 || (sep1 != '-' && sep1 != '/')) return std::nullopt;
  if (s.size() > static_cast<size_t>(consumed) && s[consumed] != 'T' && s[consumed] != ' ') return std::nullopt;
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  return days_from_civil({y, m, d});
}

std::string format_day(int32_t day) {
  auto c = civil_from_days(day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

ParsedImport parse_import(const std::vector<std::string>& header, const std::vector<ImportCells>& rows,
                          const std::set<std::string>& districts, int32_t today, const std::string& default_source) {
  ParsedImport out;
  auto c_date = column(header, {"date", "日期"});
  auto c_div = column(header, {"division_code", "区划代码", "district_code"});
  auto c_channel = column(header, {"channel", "渠道"});
  auto c_count = column(header, {"count", "数量", "人数"});
  auto c_source = column(header, {"source", "来源", "报告单位"});
  std::string missing;
  if (!c_date) missing += " date";
  if (!c_div) missing += " division_code";
  if (!c_channel) missing += " channel";
  if (!c_count) missing += " count";
  if (!missing.empty()) {
    out.errors.push_back(
        {1, "the header lacks the column(s):" + missing + " (expected date,division_code,channel,count[,source])"});
    return out;
  }
  std::map<std::tuple<std::string, Channel, int32_t, std::string>, int> seen;
  for (const auto& r : rows) {
    auto at = [&](size_t i) -> std::string { return i < r.cells.size() ? r.cells[i] : std::string(); };
    std::vector<std::string> problems;
    CountRow row;
    row.line = r.line;
    auto day = parse_day(at(*c_date));
    if (!day)
      problems.push_back("date '" + at(*c_date) + "' is not YYYY-MM-DD");
    else if (*day > today)
      problems.push_back("date " + at(*c_date) + " is in the future");
    else
      row.day = *day;
    row.division_code = at(*c_div);
    if (!districts.count(row.division_code))
      problems.push_back("division_code '" + row.division_code + "' is not a district of the city");
    auto ch = parse_channel(at(*c_channel));
    if (!ch)
      problems.push_back(
          "channel '" + at(*c_channel) +
          "' is not one of fever_clinic, pharmacy, checkpoint_fever, positive_tests, monitoring_fever, absence");
    else
      row.channel = *ch;
    const std::string count = at(*c_count);
    int64_t n = -1;
    auto [p, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (count.empty() || ec != std::errc() || p != count.data() + count.size() || n < 0 || n > 100000000)
      problems.push_back("count '" + count + "' is not a whole number from 0 to 100000000");
    else
      row.count = n;
    row.source = c_source ? at(*c_source) : std::string();
    if (row.source.empty()) row.source = default_source;
    if (row.source.size() > 100) problems.push_back("source is longer than 100 characters");
    if (row.source == "epinet") problems.push_back("source 'epinet' is reserved for epinet's own records");
    if (problems.empty()) {
      auto key = std::make_tuple(row.division_code, row.channel, row.day, row.source);
      auto [it, fresh] = seen.emplace(key, row.line);
      if (!fresh)
        problems.push_back("the same date, district, channel and source as line " + std::to_string(it->second));
    }
    if (!problems.empty()) {
      std::string msg;
      for (const auto& m : problems) msg += (msg.empty() ? "" : "; ") + m;
      out.errors.push_back({row.line, msg});
      continue;
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

CountChange change_of(std::optional<int64_t> stored, int64_t reported) {
  if (!stored) return CountChange::kInsert;
  return *stored == reported ? CountChange::kUnchanged : CountChange::kCorrect;
}

std::vector<SignalRef> escalation_evidence(const std::vector<SignalRef>& district_signals, int32_t day,
                                           const EscalationRule& rule) {
  std::vector<SignalRef> in;
  std::set<Channel> channels;
  for (const auto& s : district_signals) {
    if (s.day > day || s.day <= day - rule.window_days) continue;
    in.push_back(s);
    channels.insert(s.channel);
  }
  if (static_cast<int>(channels.size()) < rule.min_channels) return {};
  std::sort(in.begin(), in.end(),
            [](const SignalRef& a, const SignalRef& b) { return std::tie(a.day, a.id) < std::tie(b.day, b.id); });
  return in;
}

namespace {
constexpr std::array<std::pair<std::string_view, AlertStatus>, 4> kStatuses{{
    {"new", AlertStatus::kNew},
    {"verifying", AlertStatus::kVerifying},
    {"confirmed", AlertStatus::kConfirmed},
    {"dismissed", AlertStatus::kDismissed},
}};
constexpr std::array<std::pair<std::string_view, AlertAction>, 3> kActions{{
    {"verify", AlertAction::kVerify},
    {"confirm", AlertAction::kConfirm},
    {"dismiss", AlertAction::kDismiss},
}};
}  // namespace

std::optional<AlertStatus> parse_status(std::string_view s) {
  for (const auto& [n, v] : kStatuses)
    if (n == s) return v;
  return std::nullopt;
}
std::string_view status_name(AlertStatus s) {
  for (const auto& [n, v] : kStatuses)
    if (v == s) return n;
  return "?";
}
std::optional<AlertAction> parse_action(std::string_view s) {
  for (const auto& [n, v] : kActions)
    if (n == s) return v;
  return std::nullopt;
}
std::string_view action_name(AlertAction a) {
  for (const auto& [n, v] : kActions)
    if (v == a) return n;
  return "?";
}

std::optional<AlertStatus> transition(AlertStatus from, AlertAction action) {
  if (from == AlertStatus::kNew && action == AlertAction::kVerify) return AlertStatus::kVerifying;
  if (from == AlertStatus::kVerifying && action == AlertAction::kConfirm) return AlertStatus::kConfirmed;
  if (from == AlertStatus::kVerifying && action == AlertAction::kDismiss) return AlertStatus::kDismissed;
  return std::nullopt;
}

bool is_open(AlertStatus s) { return s == AlertStatus::kNew || s == AlertStatus::kVerifying; }

int64_t retry_delay_ms(int attempts, int64_t base_ms, int64_t cap_ms) {
  if (attempts < 1) return 0;
  int64_t d = base_ms;
  for (int i = 1; i < attempts && d < cap_ms; ++i) d *= 2;
  return std::min(d, cap_ms);
}

}  // namespace epinet::domain::warning
