// A trace: from index cases and their exposure windows to the list of
// contacts in tiers, each with its evidence. Pure over a ContactSource (the
// in-memory index or the SQL reference), so both give the same list.
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "domain/tracing/index.h"
#include "domain/tracing/rules.h"

namespace epinet::domain::tracing {

// What the store knows about an index case's course.
struct CaseCourse {
  std::optional<Millis> onset;               // symptom onset
  std::optional<Millis> first_positive;      // sample time of the first positive test
  std::optional<Millis> isolated_at;         // isolation (or centralized quarantine) began
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
  Millis first_exposure = 0, last_exposure = 0;
  std::vector<Exposure> evidence;  // of this tier, by time; at most kMaxEvidence
};
inline constexpr size_t kMaxEvidence = 50;

struct TraceResult {
  std::vector<Contact> contacts;  // close, then secondary, then companion; by person id within each
  size_t count(ContactKind k) const;
};

// When a close contact was put under control (its secondary window ends
// there): the time, or the trace's `now` when not yet.
using ControlTime = std::function<Millis(int64_t person_id)>;
// Fraction done, 0…1.
using Progress = std::function<void(double)>;

// Index persons are never listed as contacts. A person met in several ways
// is listed once, in the strongest tier (close > secondary > companion).
// Secondary contacts: the close-tier exposures of each close contact during
// [its first exposure, its control time] (when rules.secondary).
TraceResult trace(const ContactSource& source, const std::vector<IndexCase>& cases, const Rules& rules,
                  const ControlTime& control, const Progress& progress = {});

}  // namespace epinet::domain::tracing
