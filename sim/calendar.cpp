#include "sim/calendar.h"

#include <cmath>
#include <cstdio>

namespace epinet::sim {

int64_t days_from_civil(Date d) {
  int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (d.month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date civil_from_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0)), m, d};
}

std::optional<Date> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  Date d{num(0, 4), num(5, 2), num(8, 2)};
  if (d.year < 1900 || d.month < 1 || d.month > 12 || d.day < 1) return std::nullopt;
  Date back = civil_from_days(days_from_civil(d));
  if (back.year != d.year || back.month != d.month || back.day != d.day) return std::nullopt;
  return d;
}

std::string format_date(Date d) {
  char b[16];
  std::snprintf(b, sizeof b, "%04d-%02d-%02d", d.year, d.month, d.day);
  return b;
}

DayInfo day_info(int64_t first_day_days, int index) {
  DayInfo i;
  i.index = index;
  i.days = first_day_days + index;
  i.start_unix = i.days * 86400 - kUtcOffsetSeconds;
  i.date = civil_from_days(i.days);
  i.weekday = static_cast<int>(((i.days + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  bool national_day = i.date.month == 10 && i.date.day <= 7;
  i.workday = i.weekday < 5 && !national_day;
  int md = i.date.month * 100 + i.date.day;
  bool summer = md >= 710 && md <= 831;
  bool winter = md >= 120 && md <= 220;
  i.school_day = i.workday && !summer && !winter;
  int doy = static_cast<int>(i.days - days_from_civil({i.date.year, 1, 1}));
  i.season = 1.0 + 0.35 * std::cos(2 * 3.141592653589793 * (doy - 20) / 365.25);
  return i;
}

}  // namespace epinet::sim
