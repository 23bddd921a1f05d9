// Dates and the simulated days: local (UTC+8) midnights, weekdays, the
// holidays that close offices and schools, and the respiratory season.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace epinet::sim {

struct Date {
  int year = 1970, month = 1, day = 1;
};

// Days since 1970-01-01 for a proleptic Gregorian date, and back
// (H. Hinnant's algorithms).
int64_t days_from_civil(Date d);
Date civil_from_days(int64_t days);
// "YYYY-MM-DD" only; nullopt when malformed or not a real date.
std::optional<Date> parse_date(std::string_view text);
std::string format_date(Date d);

inline constexpr int64_t kUtcOffsetSeconds = 8 * 3600;  // China Standard Time, no DST

// One simulated day.
struct DayInfo {
  int index = 0;           // 0 = the first simulated day (negative: signal history)
  int64_t days = 0;        // days since 1970-01-01 (local calendar)
  int64_t start_unix = 0;  // the local midnight that starts it, Unix seconds
  Date date;
  int weekday = 0;         // 0 = Monday … 6 = Sunday
  bool workday = true;     // offices and factories open: Mon–Fri except 1–7 October
  bool school_day = true;  // workday outside the summer (10 Jul–31 Aug) and winter (20 Jan–20 Feb) holidays
  double season = 1.0;     // respiratory-illness season factor: 1 + 0.35·cos(2π(doy − 20)/365.25)
};

DayInfo day_info(int64_t first_day_days, int index);

}  // namespace epinet::sim
