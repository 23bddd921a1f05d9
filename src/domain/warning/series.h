// A surveillance time series and what a detector says about it. Pure values.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace epinet::domain::warning {

// One series of counts at regular periods (days, weeks or months).
struct Series {
  // The counts, oldest first; NaN marks a missing count (R's NA).
  std::vector<double> observed;
  // Optional: the date of each period as days since 1970-01-01, strictly
  // increasing. With dates, the Farrington methods and MPM find "the same
  // time in earlier years" by the calendar, as R does for an sts with
  // epochAsDate = TRUE; without, by going back `frequency` periods.
  std::vector<int32_t> dates;
  // Optional: population per period, for farringtonFlexible's populationOffset.
  std::vector<double> population;
  // Periods per year: 365 (daily), 52 (weekly), 12 (monthly) or any other
  // value for undated series. R's sts default is 52.
  int frequency = 52;
};

// R's alarm vector is logical with NA; "not evaluated" is a time point outside
// the detector's range (R's result leaves it out).
enum class Alarm : std::uint8_t { kNotEvaluated, kMissing, kNo, kYes };

struct Detection {
  std::vector<double> upperbound;  // NaN where R gives NA/NaN or the point is not evaluated
  std::vector<Alarm> alarm;

  explicit Detection(size_t n = 0);
};

// Which time points to evaluate, as 0-based indices into the series, both ends
// included. Unset ends take the method's default (R's default `range`).
struct Range {
  std::optional<size_t> from;
  std::optional<size_t> to;
};

// Civil calendar (proleptic Gregorian), for the date arithmetic of R's
// seq(date, by = "-1 year"): Feb 29 of a leap year, moved to a common year,
// becomes Mar 1.
struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};
int32_t days_from_civil(CivilDate d);  // the day may overflow the month: it rolls over
CivilDate civil_from_days(int32_t days);
int32_t minus_years(int32_t days, int years);
int weekday(int32_t days);  // 0 = Sunday, as R's format(date, "%w")

}  // namespace epinet::domain::warning
