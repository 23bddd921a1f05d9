// Tracing against the simulator's truth: runs a simulation in memory, puts
// its stays, coach seats and households into a TraceIndex, traces every
// infector with the window the platform would use, and counts how many true
// transmissions through a venue, trip or household have the infectee listed
// as a close contact. Shared by the unit test and bench/trace.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/tracing/index.h"
#include "domain/tracing/trace.h"
#include "sim/output.h"
#include "sim/simulator.h"

namespace epinet::bench {

struct AccuracyReport {
  int64_t transmissions = 0;  // through venue, trip or household
  int64_t listed = 0;         // of those, infectee listed as a close contact of the infector
  std::array<int64_t, 3> by_setting{}, listed_by_setting{};  // venue, trip, household
  int64_t infectors = 0;
  int64_t infectors_by_onset = 0, infectors_by_positive = 0, infectors_by_reference = 0;
  int64_t close_contacts = 0;  // listed over all infectors traced
  int64_t stays = 0, seats = 0, persons = 0;
  double rate() const { return transmissions ? static_cast<double>(listed) / static_cast<double>(transmissions) : 1; }
  double contacts_per_infection() const {
    return transmissions ? static_cast<double>(close_contacts) / static_cast<double>(transmissions) : 0;
  }
};

// Runs `sim` to its end and evaluates. Person ids are the simulator's + 1.
inline AccuracyReport evaluate_tracing(sim::Simulator& simulator, const domain::tracing::Rules& rules_in) {
  namespace tr = domain::tracing;
  tr::Rules rules = rules_in;
  rules.secondary = false;  // close contacts are what the bar is about
  const int64_t epoch = simulator.epoch();
  auto ms = [&](sim::SimTime t) { return (epoch + static_cast<int64_t>(t)) * 1000; };
  tr::TraceIndex ix;
  AccuracyReport rep;
  const auto& city = simulator.city();
  for (uint32_t v = 0; v < city.venues.size(); ++v) ix.add_venue(v + 1, "venue");
  for (uint32_t p = 0; p < city.persons.size(); ++p) ix.add_person(p + 1, city.persons[p].household + 1);
  rep.persons = static_cast<int64_t>(city.persons.size());
  std::vector<sim::Infection> infections;
  std::unordered_map<uint32_t, sim::SimTime> first_positive;
  sim::DayOutput day;
  while (!simulator.done()) {
    simulator.step(day);
    for (const auto& s : day.stays) ix.add_stay(s.person + 1, s.venue + 1, ms(s.t_in), ms(s.t_out));
    rep.stays += static_cast<int64_t>(day.stays.size());
    for (const auto& t : day.trips) {
      ix.add_trip({static_cast<int64_t>(t.id), "", ms(t.departure), ms(t.arrival)});
      for (uint32_t i = t.first_seat; i < t.first_seat + t.seats; ++i) {
        const auto& seat = day.seats[i];
        ix.add_seat({static_cast<int64_t>(t.id), seat.person + 1, seat.row, seat.col, seat.row == 0});
        ++rep.seats;
      }
    }
    infections.insert(infections.end(), day.infections.begin(), day.infections.end());
    for (const auto& t : day.tests)
      if (t.positive) {
        auto [it, added] = first_positive.try_emplace(t.person, t.sampled);
        if (!added) it->second = std::min(it->second, t.sampled);
      }
  }
  const Millis end = ms(static_cast<sim::SimTime>(simulator.days()) * 86400);

  std::map<uint32_t, std::vector<const sim::Infection*>> by_infector;
  for (const auto& inf : infections) {
    if (inf.infector == sim::kNone) continue;
    if (inf.setting != sim::Setting::kHousehold && inf.setting != sim::Setting::kVenue &&
        inf.setting != sim::Setting::kTrip)
      continue;
    by_infector[inf.infector].push_back(&inf);
  }
  const auto& outbreak = simulator.outbreak();
  for (const auto& [infector, infected] : by_infector) {
    const auto& k = outbreak.cases()[static_cast<size_t>(outbreak.case_index(infector))];
    // The window the platform would use: onset (symptomatic), else the first
    // positive sample; an asymptomatic infection never detected has neither,
    // and is traced from its reference onset (counted apart).
    tr::CaseCourse course;
    if (k.symptomatic) {
      course.onset = ms(k.onset);
      ++rep.infectors_by_onset;
    } else if (auto fp = first_positive.find(infector); fp != first_positive.end()) {
      course.first_positive = ms(fp->second);
      ++rep.infectors_by_positive;
    } else {
      course.onset = ms(k.onset);
      ++rep.infectors_by_reference;
    }
    if (sim::SimTime iso = outbreak.isolated_at(infector); iso != sim::kNever) course.isolated_at = ms(iso);
    auto w = tr::exposure_window(course, rules, end);
    auto res = tr::trace(ix, {{infector + 1, *w}}, rules, [&](int64_t) { return end; });
    std::unordered_map<int64_t, bool> close;
    for (const auto& c : res.contacts)
      if (c.kind == tr::ContactKind::kClose) close[c.person_id] = true;
    rep.close_contacts += static_cast<int64_t>(close.size());
    ++rep.infectors;
    for (const auto* inf : infected) {
      const size_t s = inf->setting == sim::Setting::kVenue ? 0 : inf->setting == sim::Setting::kTrip ? 1 : 2;
      ++rep.transmissions;
      ++rep.by_setting[s];
      if (close.count(static_cast<int64_t>(inf->infectee) + 1)) {
        ++rep.listed;
        ++rep.listed_by_setting[s];
      }
    }
  }
  return rep;
}

}  // namespace epinet::bench
