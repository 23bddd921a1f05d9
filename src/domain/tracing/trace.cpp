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
  return static_cast<size_t>(std::count_if(contacts.begin(), contacts.end(), [&](const Contact& c) { return c.kind == k; }));
}

namespace {

// Keeps the strongest tier per person and that tier's evidence.
void note(std::unordered_map<int64_t, Contact>& found, const Exposure& e, ContactKind kind) {
  auto [it, added] = found.try_emplace(e.person_id);
  Contact& c = it->second;
  if (added) {
    c.person_id = e.person_id;
    c.kind = kind;
  } else if (kind < c.kind) {
    c.kind = kind;
    c.evidence.clear();
  } else if (kind > c.kind) {
    return;
  }
  if (c.evidence.empty()) {
    c.first_exposure = e.from;
    c.last_exposure = e.to;
  } else {
    c.first_exposure = std::min(c.first_exposure, e.from);
    c.last_exposure = std::max(c.last_exposure, e.to);
  }
  Exposure x = e;
  x.kind = kind;
  c.evidence.push_back(x);
}

}  // namespace

TraceResult trace(const ContactSource& source, const std::vector<IndexCase>& cases, const Rules& rules,
                  const ControlTime& control, const Progress& progress) {
  std::unordered_set<int64_t> index;
  for (const auto& c : cases) index.insert(c.person_id);
  std::unordered_map<int64_t, Contact> found;
  std::vector<Exposure> buf;
  const double first_share = rules.secondary ? 0.5 : 1.0;

  for (size_t i = 0; i < cases.size(); ++i) {
    buf.clear();
    source.exposures(cases[i].person_id, cases[i].window.from, cases[i].window.to, rules, buf);
    for (const auto& e : buf)
      if (!index.count(e.person_id)) note(found, e, e.kind);
    if (progress) progress(first_share * static_cast<double>(i + 1) / static_cast<double>(cases.size()));
  }

  if (rules.secondary) {
    std::vector<std::pair<int64_t, Millis>> close;  // person, first exposure
    for (const auto& [id, c] : found)
      if (c.kind == ContactKind::kClose) close.emplace_back(id, c.first_exposure);
    std::sort(close.begin(), close.end());
    std::unordered_set<int64_t> close_set;
    for (const auto& [id, t] : close) close_set.insert(id);
    for (size_t j = 0; j < close.size(); ++j) {
      buf.clear();
      source.exposures(close[j].first, close[j].second, control(close[j].first), rules, buf);
      for (const auto& e : buf)
        if (e.kind == ContactKind::kClose && !index.count(e.person_id) && !close_set.count(e.person_id))
          note(found, e, ContactKind::kSecondary);
      if (progress && (j % 64 == 63 || j + 1 == close.size()))
        progress(first_share + (1 - first_share) * static_cast<double>(j + 1) / static_cast<double>(close.size()));
    }
  }

  TraceResult r;
  r.contacts.reserve(found.size());
  for (auto& [id, c] : found) {
    std::sort(c.evidence.begin(), c.evidence.end(), [](const Exposure& a, const Exposure& b) {
      return std::tie(a.from, a.via, a.place_id, a.to) < std::tie(b.from, b.via, b.place_id, b.to);
    });
    if (c.evidence.size() > kMaxEvidence) c.evidence.resize(kMaxEvidence);
    r.contacts.push_back(std::move(c));
  }
  std::sort(r.contacts.begin(), r.contacts.end(), [](const Contact& a, const Contact& b) {
    return std::tie(a.kind, a.person_id) < std::tie(b.kind, b.person_id);
  });
  if (progress) progress(1.0);
  return r;
}

}  // namespace epinet::domain::tracing
