#include "domain/tracing/rules.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/error.h"

namespace epinet::domain::tracing {

const char* kind_name(ContactKind k) {
  switch (k) {
    case ContactKind::kClose: return "close";
    case ContactKind::kSecondary: return "secondary";
    case ContactKind::kCompanion: return "companion";
  }
  return "close";
}

const char* setting_name(Setting s) {
  switch (s) {
    case Setting::kVenue: return "venue";
    case Setting::kTrip: return "trip";
    case Setting::kHousehold: return "household";
  }
  return "venue";
}

Millis Rules::stay_length(const std::string& venue_type) const {
  auto it = default_stay_by_type.find(venue_type);
  return it == default_stay_by_type.end() ? default_stay : it->second;
}

bool Rules::close_type(const std::string& venue_type) const {
  return close_venue_types.empty() ||
         std::find(close_venue_types.begin(), close_venue_types.end(), venue_type) != close_venue_types.end();
}

std::string Rules::describe_json() const {
  std::ostringstream o;
  o << "{\"lookback_days\":" << lookback / kDay << ",\"buffer_min\":" << buffer / kMinute
    << ",\"min_overlap_min\":" << min_overlap / kMinute << ",\"row_span\":" << row_span << ",\"close_venue_types\":[";
  for (size_t i = 0; i < close_venue_types.size(); ++i) o << (i ? "," : "") << '"' << close_venue_types[i] << '"';
  o << "],\"secondary\":" << (secondary ? "true" : "false") << ",\"default_stay_min\":" << default_stay / kMinute
    << ",\"stay_min_by_type\":{";
  bool first = true;
  for (const auto& [t, v] : default_stay_by_type) {
    o << (first ? "" : ",") << '"' << t << "\":" << v / kMinute;
    first = false;
  }
  o << "}}";
  return o.str();
}

std::string Rules::version() const {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a over the canonical description
  for (unsigned char ch : describe_json()) h = (h ^ ch) * 1099511628211ULL;
  char buf[32];
  std::snprintf(buf, sizeof buf, "trace-%012llx", static_cast<unsigned long long>(h & 0xffffffffffffULL));
  return buf;
}

namespace {
long to_long(const std::string& key, const std::string& v, long lo, long hi) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi)
    throw invalid("invalid_setting", key + " must be a whole number from " + std::to_string(lo) + " to " +
                                         std::to_string(hi) + ", not '" + v + "'");
  return n;
}

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : v + ",") {
    if (ch == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (ch != ' ') {
      cur += ch;
    }
  }
  return out;
}
}  // namespace

Rules rules_from_settings(const std::map<std::string, std::string>& s) {
  Rules r;
  auto get = [&](const char* k) -> const std::string* {
    auto it = s.find(k);
    return it == s.end() ? nullptr : &it->second;
  };
  if (auto v = get("EPINET_TRACE_LOOKBACK_DAYS")) r.lookback = to_long("EPINET_TRACE_LOOKBACK_DAYS", *v, 0, 30) * kDay;
  if (auto v = get("EPINET_TRACE_BUFFER_MIN")) r.buffer = to_long("EPINET_TRACE_BUFFER_MIN", *v, 0, 720) * kMinute;
  if (auto v = get("EPINET_TRACE_MIN_OVERLAP_MIN"))
    r.min_overlap = to_long("EPINET_TRACE_MIN_OVERLAP_MIN", *v, 0, 720) * kMinute;
  if (auto v = get("EPINET_TRACE_ROW_SPAN")) r.row_span = static_cast<int>(to_long("EPINET_TRACE_ROW_SPAN", *v, 0, 60));
  if (auto v = get("EPINET_TRACE_CLOSE_VENUE_TYPES")) r.close_venue_types = split_list(*v);
  if (auto v = get("EPINET_TRACE_SECONDARY")) r.secondary = to_long("EPINET_TRACE_SECONDARY", *v, 0, 1) == 1;
  if (auto v = get("EPINET_TRACE_DEFAULT_STAY_MIN"))
    r.default_stay = to_long("EPINET_TRACE_DEFAULT_STAY_MIN", *v, 0, 1440) * kMinute;
  if (auto v = get("EPINET_TRACE_STAY_MIN_BY_TYPE")) {
    for (const auto& item : split_list(*v)) {
      auto colon = item.find(':');
      if (colon == std::string::npos || colon == 0)
        throw invalid("invalid_setting", "EPINET_TRACE_STAY_MIN_BY_TYPE: expected type:minutes, not '" + item + "'");
      r.default_stay_by_type[item.substr(0, colon)] =
          to_long("EPINET_TRACE_STAY_MIN_BY_TYPE", item.substr(colon + 1), 0, 1440) * kMinute;
    }
  }
  return r;
}

Meeting venue_meeting(Millis a, Millis b, Millis c_in, Millis c_out, Millis buffer) {
  Meeting m;
  m.from = std::max(c_in, a - buffer);
  m.to = std::min(c_out, b + buffer);
  m.met = m.from <= m.to;
  m.overlap = std::max<Millis>(0, std::min(c_out, b) - std::max(c_in, a));
  return m;
}

bool meeting_is_close(const Meeting& m, const Rules& r, bool close_type) {
  return m.met && close_type && m.to - m.from >= r.min_overlap;
}

bool seat_contact(int index_row, bool index_crew, int other_row, bool other_crew, int row_span) {
  if (index_crew || other_crew) {
    // The crew meets every other crew member; a crew member counts as row 0
    // for the passengers: the front rows, and every passenger meets the crew.
    if (index_crew && other_crew) return true;
    if (other_crew) return true;
    return other_row <= row_span;
  }
  int d = index_row - other_row;
  return d <= row_span && d >= -row_span;
}

}  // namespace epinet::domain::tracing
