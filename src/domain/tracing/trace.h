// A trace: from index cases and their exposure windows to the list of
// contacts in tiers, each with its evidence. Pure over a ContactSource (the
// in-memory index or the SQL reference), so both give the same list.
#pragma once
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "domain/tracing/index.h"
#include "domain/tracing/memory.h"
#include "domain/tracing/rules.h"

namespace epinet::domain::tracing {

// What the store knows about an index case's course.
struct CaseCourse {
  std::optional<Millis> onset;           // symptom onset
  std::optional<Millis> first_positive;  // sample time of the first positive test
  std::optional<Millis> isolated_at;     // isolation (or centralized quarantine) began
};

// The exposure window: [onset − lookback, isolation], with the first positive
// sample standing in for the onset of an asymptomatic case, and `now` when not
// (yet) isolated. nullopt when neither onset nor a positive sample is known.
struct Window {
  Millis from = 0, to = 0;
};
std::optional<Window> exposure_window(const CaseCourse& c, const Rules& rules, Millis now);

struct IndexCase {
  int64_t person_id = 0;
  Window window;
};

struct Contact {
  int64_t person_id = 0;
  ContactKind kind = ContactKind::kClose;
  // Over every exposure of this tier (not only those kept as evidence).
  Millis first_exposure = 0, last_exposure = 0;
  uint32_t evidence_begin = 0, evidence_count = 0;  // in TraceResult::evidence
};
inline constexpr size_t kMaxEvidence = 50;

// An exposure as a result keeps it (the contact is the Contact's).
struct Evidence {
  int64_t via = 0;  // the index case or close contact met
  int64_t place_id = 0;
  Millis from = 0, to = 0, overlap = 0;
  int16_t seat_row = -1, seat_col = -1;
  ContactKind kind = ContactKind::kClose;
  Setting setting = Setting::kVenue;
};

struct TraceResult {
  // Close, then secondary, then companion; by person id within each. (The memory of both arrays
  // is kept for the next result when they are freed: memory.h.)
  std::vector<Contact, ResultAllocator<Contact>> contacts;
  // Each contact's evidence, contiguous: of its tier, one exposure per stay,
  // trip or household of the contact's, ordered by evidence_less; at most
  // kMaxEvidence.
  std::vector<Evidence, ResultAllocator<Evidence>> evidence;
  std::span<const Evidence> evidence_of(const Contact& c) const {
    return {evidence.data() + c.evidence_begin, c.evidence_count};
  }
  size_t count(ContactKind k) const;
  // Appends another result's contacts and evidence (as they are: the order
  // is then the caller's).
  void append(TraceResult&& other);
};

// Index persons are never listed as contacts. A person met in several ways
// is listed once, in the strongest tier (close > secondary > companion).
// Secondary contacts: the close-tier exposures of each close contact during
// [its first exposure, its control time] (when rules.secondary).
// Evidence: when several index cases (or close contacts) met the same stay
// of a contact, the one whose own stay began first is named (ties: the
// lowest person id); for a trip, the lowest person id; for a household, the
// earliest window. The source decides how (ContactSource::trace).
TraceResult trace(const ContactSource& source, const std::vector<IndexCase>& cases, const Rules& rules,
                  const ControlTime& control, const Progress& progress = {});

// The order of a contact's evidence: by time, then via, place, end, setting.
bool evidence_less(const Evidence& a, const Evidence& b);

}  // namespace epinet::domain::tracing
