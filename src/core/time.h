// Time as Unix milliseconds (UTC) in storage and code; ISO 8601 at the edges.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace epinet {

using Millis = int64_t;
inline constexpr Millis kDayMillis = 24LL * 3600 * 1000;

// Howard Hinnant's civil-date algorithms (proleptic Gregorian): days since
// 1970-01-01 and back.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d);

// The only clock read in the code base; services take `now` from here and pass
// it into pure code.
Millis now_ms();

// "2026-11-29T11:17:50Z" (milliseconds shown only when not zero).
std::string iso8601(Millis t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z" or "+HH:MM"
// (no zone means UTC). Returns nullopt when malformed.
std::optional<Millis> parse_iso8601(std::string_view s);

}  // namespace epinet
