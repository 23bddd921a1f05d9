// Contact tracing: the rules (settings with DOMAIN.md's defaults), what an
// exposure is, and the one predicate that decides whether two venue stays
// meet. Pure: values in, values out.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/time.h"

namespace epinet::domain::tracing {

inline constexpr Millis kMinute = 60'000;
inline constexpr Millis kDay = 24 * 60 * kMinute;

// Ranked: a person found in several tiers is listed in the strongest.
enum class ContactKind : uint8_t { kClose = 0, kSecondary = 1, kCompanion = 2 };
enum class Setting : uint8_t { kVenue = 0, kTrip = 1, kHousehold = 2 };

const char* kind_name(ContactKind k);  // close | secondary | companion
const char* setting_name(Setting s);   // venue | trip | household

struct Rules {
  // The exposure window opens this long before symptom onset (before the first
  // positive sample for an asymptomatic case).
  Millis lookback = 4 * kDay;
  // Venue stays meet when they overlap once the index's stay is widened by
  // `buffer` on both sides, by at least `min_overlap` (of the widened overlap).
  Millis buffer = 15 * kMinute;
  Millis min_overlap = 0;
  // Coach: the same trip, rows within ±row_span of the index's row, and the crew.
  int row_span = 3;
  // Venue types of close interaction. Empty: every type. A venue contact at a
  // type not listed, or one short of min_overlap, is a spatiotemporal
  // companion (时空伴随者) instead.
  std::vector<std::string> close_venue_types;
  // Trace the contacts of close contacts.
  bool secondary = true;
  // An entry without an exit lasts this long (per venue type, else `default_stay`).
  Millis default_stay = 60 * kMinute;
  std::map<std::string, Millis> default_stay_by_type;

  Millis stay_length(const std::string& venue_type) const;
  bool close_type(const std::string& venue_type) const;
  // "trace-<12 hex digits>": a digest of every value, recorded with each job.
  std::string version() const;
  std::string describe_json() const;
};

// Parses the EPINET_TRACE_* settings (a KEY=VALUE map; missing keys keep the
// defaults). Throws Error(kInvalid) naming the bad setting.
Rules rules_from_settings(const std::map<std::string, std::string>& settings);

// The meeting of a contact's venue stay [c_in, c_out] with the index's stay
// clipped to its window, [a, b]. `met` when the contact's stay reaches the
// widened interval [a − buffer, b + buffer]; `from`/`to` bound the widened
// overlap; `overlap` is the overlap of the unwidened stays (0 when only the
// buffer joins them).
struct Meeting {
  bool met = false;
  Millis from = 0, to = 0, overlap = 0;
};
Meeting venue_meeting(Millis a, Millis b, Millis c_in, Millis c_out, Millis buffer);

// How a venue meeting counts: close, companion, or not at all (nullopt-like: met=false).
bool meeting_is_close(const Meeting& m, const Rules& r, bool close_type);

// Seats: may a passenger (row ≥ 1) or crew member (crew = true) pass it to another?
bool seat_contact(int index_row, bool index_crew, int other_row, bool other_crew, int row_span);

// One way a contact was exposed.
struct Exposure {
  int64_t person_id = 0;  // the contact
  int64_t via = 0;        // the index case or close contact they met
  ContactKind kind = ContactKind::kClose;  // kClose or kCompanion at this level
  Setting setting = Setting::kVenue;
  int64_t place_id = 0;  // venue, trip or household id
  Millis from = 0, to = 0;
  Millis overlap = 0;
  int seat_row = -1, seat_col = -1;  // the contact's seat on a trip (0 = crew)
  // Which of the contact's stays (venue: its entry; trip: the departure;
  // household: 0) and when the via's side began (venue: the via's stay,
  // clipped to its window; trip: the departure; household: the window's
  // start): a trace keeps one exposure per (setting, place, contact_in),
  // the least by (via_from, via, to, overlap).
  Millis via_from = 0, contact_in = 0;
};

}  // namespace epinet::domain::tracing
