#include "domain/tracing/trace.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace epinet::domain::tracing {

std::optional<Window> exposure_window(const CaseCourse& c, const Rules& rules, Millis now) {
  std::optional<Millis> start = c.onset ? c.onset : c.first_positive;
  if (!start) return std::nullopt;
  return Window{*start - rules.lookback, c.isolated_at.value_or(now)};
}

size_t TraceResult::count(ContactKind k) const {
  return static_cast<size_t>(
      std::count_if(contacts.begin(), contacts.end(), [&](const Contact& c) { return c.kind == k; }));
}

void TraceResult::append(TraceResult&& other) {
  const auto base = static_cast<uint32_t>(evidence.size());
  evidence.insert(evidence.end(), other.evidence.begin(), other.evidence.end());
  for (auto c : other.contacts) {
    c.evidence_begin += base;
    contacts.push_back(c);
  }
}

bool evidence_less(const Evidence& a, const Evidence& b) {
  return std::tie(a.from, a.via, a.place_id, a.to, a.setting) < std::tie(b.from, b.via, b.place_id, b.to, b.setting);
}

TraceResult trace(const ContactSource& source, const std::vector<IndexCase>& cases, const Rules& rules,
                  const ControlTime& control, const Progress& progress) {
  return source.trace(cases, rules, control, progress);
}

namespace {

struct Found {
  Contact contact;
  std::vector<Exposure> evidence;  // every exposure of the tier, until the end
};

// Keeps the strongest tier per person and that tier's exposures.
void note(std::unordered_map<int64_t, Found>& found, const Exposure& e, ContactKind kind) {
  auto [it, added] = found.try_emplace(e.person_id);
  Found& f = it->second;
  Contact& c = f.contact;
  if (added) {
    c.person_id = e.person_id;
    c.kind = kind;
  } else if (kind < c.kind) {
    c.kind = kind;
    f.evidence.clear();
  } else if (kind > c.kind) {
    return;
  }
  if (f.evidence.empty()) {
    c.first_exposure = e.from;
    c.last_exposure = e.to;
  } else {
    c.first_exposure = std::min(c.first_exposure, e.from);
    c.last_exposure = std::max(c.last_exposure, e.to);
  }
  Exposure x = e;
  x.kind = kind;
  f.evidence.push_back(x);
}

// One exposure per stay (trip, household) of the contact's: the least by
// (via_from, via, to, overlap).
void keep_evidence(std::vector<Exposure>& ev) {
  auto key = [](const Exposure& x) { return std::tie(x.setting, x.place_id, x.contact_in); };
  std::sort(ev.begin(), ev.end(), [&](const Exposure& a, const Exposure& b) {
    if (key(a) != key(b)) return key(a) < key(b);
    // (to, overlap) grow with the via's stay's end: the least is the shortest stay.
    return std::tie(a.via_from, a.via, a.to, a.overlap) < std::tie(b.via_from, b.via, b.to, b.overlap);
  });
  ev.erase(std::unique(ev.begin(), ev.end(), [&](const Exposure& a, const Exposure& b) { return key(a) == key(b); }),
           ev.end());
}

}  // namespace

TraceResult ContactSource::trace(const std::vector<IndexCase>& cases, const Rules& rules, const ControlTime& control,
                                 const Progress& progress) const {
  std::unordered_set<int64_t> index;
  for (const auto& c : cases) index.insert(c.person_id);
  std::unordered_map<int64_t, Found> found;
  std::vector<Exposure> buf;
  const double first_share = rules.secondary ? 0.5 : 1.0;

  for (size_t i = 0; i < cases.size(); ++i) {
    buf.clear();
    exposures(cases[i].person_id, cases[i].window.from, cases[i].window.to, rules, buf);
    for (const auto& e : buf)
      if (!index.count(e.person_id)) note(found, e, e.kind);
    if (progress) progress(first_share * static_cast<double>(i + 1) / static_cast<double>(cases.size()));
  }

  if (rules.secondary) {
    std::vector<std::pair<int64_t, Millis>> close;  // person, first exposure
    for (const auto& [id, f] : found)
      if (f.contact.kind == ContactKind::kClose) close.emplace_back(id, f.contact.first_exposure);
    std::sort(close.begin(), close.end());
    std::unordered_set<int64_t> close_set;
    for (const auto& [id, t] : close) close_set.insert(id);
    for (size_t j = 0; j < close.size(); ++j) {
      buf.clear();
      exposures(close[j].first, close[j].second, control(close[j].first), rules, buf);
      for (const auto& e : buf)
        if (e.kind == ContactKind::kClose && !index.count(e.person_id) && !close_set.count(e.person_id))
          note(found, e, ContactKind::kSecondary);
      if (progress && (j % 64 == 63 || j + 1 == close.size()))
        progress(first_share + (1 - first_share) * static_cast<double>(j + 1) / static_cast<double>(close.size()));
    }
  }

  std::vector<Found*> all;
  all.reserve(found.size());
  for (auto& [id, f] : found) all.push_back(&f);
  std::sort(all.begin(), all.end(), [](const Found* a, const Found* b) {
    return std::tie(a->contact.kind, a->contact.person_id) < std::tie(b->contact.kind, b->contact.person_id);
  });
  TraceResult r;
  r.contacts.reserve(all.size());
  for (Found* f : all) {
    keep_evidence(f->evidence);
    Contact c = f->contact;
    c.evidence_begin = static_cast<uint32_t>(r.evidence.size());
    for (const auto& x : f->evidence)
      r.evidence.push_back({x.via, x.place_id, x.from, x.to, x.overlap, static_cast<int16_t>(x.seat_row),
                            static_cast<int16_t>(x.seat_col), x.kind, x.setting});
    auto b = r.evidence.begin() + c.evidence_begin;
    std::sort(b, r.evidence.end(), evidence_less);
    if (r.evidence.end() - b > static_cast<std::ptrdiff_t>(kMaxEvidence))
      r.evidence.erase(b + kMaxEvidence, r.evidence.end());
    c.evidence_count = static_cast<uint32_t>(r.evidence.size() - c.evidence_begin);
    r.contacts.push_back(c);
  }
  if (progress) progress(1.0);
  return r;
}

}  // namespace epinet::domain::tracing
