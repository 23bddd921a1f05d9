#include "domain/warning/series.h"

#include <limits>

namespace epinet::domain::warning {

Detection::Detection(size_t n)
    : upperbound(n, std::numeric_limits<double>::quiet_NaN()), alarm(n, Alarm::kNotEvaluated) {}

// Howard Hinnant's days_from_civil / civil_from_days.
int32_t days_from_civil(CivilDate d) {
  int y = d.year;
  const int m = d.month;
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;  // day 1 of the month
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int32_t>(era * 146097 + doe - 719468 + (d.day - 1));
}

CivilDate civil_from_days(int32_t z0) {
  const int z = z0 + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = yoe + era * 400;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp + (mp < 10 ? 3 : -9);
  return {y + (m <= 2 ? 1 : 0), m, d};
}

int32_t minus_years(int32_t days, int years) {
  CivilDate c = civil_from_days(days);
  c.year -= years;
  return days_from_civil(c);
}

int weekday(int32_t days) { return static_cast<int>(((days % 7) + 7 + 4) % 7); }

}  // namespace epinet::domain::warning
