#include "sim/outbreak.h"

#include <algorithm>
#include <cmath>

#include "sim/signals.h"

namespace epinet::sim {
namespace {

constexpr SimTime kDay = 86400;
constexpr SimTime kHour = 3600;

int day_of(SimTime t) { return static_cast<int>(t >= 0 ? t / kDay : -((-t + kDay - 1) / kDay)); }

}  // namespace

std::string_view setting_name(Setting s) {
  switch (s) {
    case Setting::kHousehold:
      return "household";
    case Setting::kVenue:
      return "venue";
    case Setting::kTrip:
      return "trip";
    case Setting::kImport:
      return "import";
    case Setting::kLocal:
      return "local";
  }
  return "";
}

Outbreak::Outbreak(const City& city)
    : city_(city),
      s_(city.scenario),
      case_of_(city.persons.size(), -1),
      removed_from_(city.persons.size(), kNever),
      removed_until_(city.persons.size(), kNever),
      present_from_(city.persons.size(), -kNever),
      isolated_first_(city.persons.size(), kNever),
      events_(static_cast<size_t>(city.scenario.days) + 1),
      slot_(city.persons.size(), -1) {}

SimTime Outbreak::isolated_at(uint32_t person) const { return isolated_first_[person]; }

bool Outbreak::present(uint32_t p, SimTime t) const {
  if (t < present_from_[p]) return false;
  return !(removed_from_[p] <= t && t < removed_until_[p]);
}

bool Outbreak::detectable(uint32_t p, SimTime t) const {
  int32_t c = case_of_[p];
  if (c < 0) return false;
  const Case& k = cases_[static_cast<size_t>(c)];
  return t >= k.infected + kDay && t <= k.infectious_until + 10 * kDay;
}

void Outbreak::schedule(const Event& e) {
  int d = day_of(e.time);
  if (d < 0 || d >= s_.days) return;  // outside the simulated period
  events_[static_cast<size_t>(d)].push_back(e);
}

void Outbreak::remove(uint32_t p, SimTime from, SimTime until) {
  // Released at the midnight after `until` (movement is planned day by day).
  SimTime release = until == kNever ? kNever : (day_of(until - 1) + 1) * kDay;
  if (removed_from_[p] <= from && from < removed_until_[p]) {
    removed_until_[p] = std::max(removed_until_[p], release);  // already removed: keep the longer
    return;
  }
  removed_from_[p] = from;
  removed_until_[p] = release;
  isolated_first_[p] = std::min(isolated_first_[p], from);
}

SimTime Outbreak::daytime(SimTime t, Rng& r) const {
  SimTime in_day = t - day_of(t) * kDay;
  if (in_day < 7 * kHour + 1800) return t - in_day + 7 * kHour + 1800 + static_cast<SimTime>(r.below(3 * kHour));
  if (in_day >= 22 * kHour) return t - in_day + kDay + 7 * kHour + 1800 + static_cast<SimTime>(r.below(3 * kHour));
  return t;
}

uint32_t Outbreak::fever_hospital(uint32_t person, Rng& r) const {
  const auto& hs = city_.fever_hospitals[city_.persons[person].district];
  if (hs.empty()) return city_.fever_hospitals[0].front();
  // The larger hospitals see most fever patients: popularity-weighted.
  double total = 0;
  for (uint32_t h : hs) total += city_.venues[h].popularity;
  double u = r.uniform() * total;
  for (uint32_t h : hs) {
    u -= city_.venues[h].popularity;
    if (u < 0) return h;
  }
  return hs.back();
}

void Outbreak::infect(uint32_t p, SimTime t, uint32_t infector, Setting setting, uint64_t place) {
  Rng r(s_.seed, Stream::kNatural, p);
  Case k;
  k.person = p;
  k.infected = t;
  double inc = std::max(s_.latent_min_days, r.lognormal_mean_sd(s_.incubation_mean_days, s_.incubation_sd_days));
  k.onset = t + static_cast<SimTime>(inc * kDay);
  k.symptomatic = r.chance(s_.symptomatic_fraction);
  k.infectious_from = std::max(t + static_cast<SimTime>(s_.latent_min_days * kDay),
                               k.onset - static_cast<SimTime>(s_.infectious_before_onset_days * kDay));
  k.infectious_until = k.onset + static_cast<SimTime>(s_.infectious_after_onset_days * kDay);
  case_of_[p] = static_cast<int32_t>(cases_.size());
  cases_.push_back(k);
  tests_done_.push_back(0);
  pending_.push_back({infector, p, setting, place, t});
  if (k.symptomatic) {
    SimTime earliest = std::max(present_from_[p] + kHour, 8 * kHour);
    if (r.chance(s_.care_seeking)) {
      SimTime visit = k.onset + static_cast<SimTime>(r.exponential(s_.care_delay_mean_days) * kDay);
      visit = daytime(std::max(visit, earliest), r);
      schedule({visit, p, Event::kFeverVisit, fever_hospital(p, r), 0});
    } else if (r.chance(s_.pharmacy_when_sick)) {
      SimTime buy = k.onset + 2 * kHour + static_cast<SimTime>(r.below(24 * kHour));
      schedule({daytime(std::max(buy, earliest), r), p, Event::kPharmacy, kNone, 0});
    }
  }
}

void Outbreak::seed(const DayInfo& info) {
  Rng r(s_.seed, Stream::kSeeds, 0);
  const uint32_t n = static_cast<uint32_t>(city_.persons.size());
  auto pick_adult = [&] {
    for (;;) {
      uint32_t p = r.below(n);
      const Person& x = city_.persons[p];
      if (x.age >= 18 && x.age <= 64 && case_of_[p] < 0 && x.occ != Occupation::kDriver) return p;
    }
  };
  const SimTime seed_start = s_.seed_day * kDay;
  for (int i = 0; i < s_.seeds_imported; ++i) {
    uint32_t p = pick_adult();
    // Back from the risk area by rail on the seeding day; away before.
    SimTime arrival = seed_start + 9 * kHour + static_cast<SimTime>(r.below(12 * kHour));
    const Person& x = city_.persons[p];
    uint32_t station = city_.rail_station[x.district] != kNone ? city_.rail_station[x.district] : city_.rail_station[0];
    present_from_[p] = arrival;
    SimTime infected = arrival - kDay - static_cast<SimTime>(r.below(2 * kDay));
    uint64_t area = std::stoull(s_.import_area);
    infect(p, infected, kNone, Setting::kImport, area);
    schedule({arrival, p, Event::kArrival, station, 0});
  }
  for (int i = 0; i < s_.seeds_local; ++i) {
    uint32_t p = pick_adult();
    SimTime infected = seed_start - static_cast<SimTime>(r.below(2 * kDay));
    infect(p, infected, kNone, Setting::kLocal, 0);
  }
  (void)info;
}

void Outbreak::confirm(uint32_t p, SimTime result_at) {
  int32_t c = case_of_[p];
  if (c >= 0 && cases_[static_cast<size_t>(c)].confirmed == kNever)
    cases_[static_cast<size_t>(c)].confirmed = result_at;
  // Isolated until well after the infectious period (treatment and recovery).
  SimTime until =
      c >= 0 ? std::max(result_at, cases_[static_cast<size_t>(c)].infectious_until) + 7 * kDay : result_at + 14 * kDay;
  remove(p, result_at, until);
  if (!s_.quarantine_household) return;
  // The household: close contacts, to centralised quarantine (7 days + 3 days
  // of home health monitoring), tested on quarantine days 1, 2, 3, 5 and 7.
  const Household& hh = city_.households[city_.persons[p].household];
  SimTime q = result_at + static_cast<SimTime>(s_.quarantine_delay_hours * kHour);
  int qday = day_of(q);
  for (uint32_t m = hh.first_person; m < hh.first_person + hh.size; ++m) {
    if (m == p) continue;
    if (!present(m, q) && removed_from_[m] <= q) continue;  // already isolated or quarantined
    remove(m, q, q + 10 * kDay);
    static constexpr int kTestDays[] = {1, 2, 3, 5, 7};
    Rng r(s_.seed, Stream::kTests, m, static_cast<uint64_t>(q));
    for (int k : kTestDays) {
      SimTime at = (qday + k) * kDay + 8 * kHour + 30 * 60 + static_cast<SimTime>(r.below(3 * kHour));
      schedule({at, m, Event::kQuarantineTest, kNone, static_cast<uint32_t>(k)});
    }
  }
}

TestRecord Outbreak::test(uint32_t p, SimTime sampled, uint32_t venue, TestReason reason, uint32_t n,
                          DayCounts& counts) {
  Rng r(s_.seed, Stream::kTests, p, 0x7e57000000ULL + (static_cast<uint64_t>(static_cast<uint32_t>(sampled)) << 4) + n);
  TestRecord t;
  t.person = p;
  t.sampled = sampled;
  double hours = r.uniform(s_.test_turnaround_min_hours, s_.test_turnaround_max_hours);
  if (reason == TestReason::kQuarantine) hours += 2;  // collected in rounds, run in batches
  t.result_at = sampled + static_cast<SimTime>(hours * kHour);
  t.positive = detectable(p, sampled) && r.chance(0.97);  // RT-PCR sensitivity
  t.venue = venue;
  t.reason = reason;
  if (t.positive) {
    ++counts.positive_tests[city_.persons[p].district];
    confirm(p, t.result_at);
  }
  return t;
}

void Outbreak::begin_day(const DayInfo& info, std::vector<Special>& specials, std::vector<TestRecord>& tests,
                         DayCounts& counts) {
  specials.clear();
  tests.clear();
  counts = DayCounts{};
  const SimTime day_start = info.index * kDay, day_end = day_start + kDay;
  if (info.index == 0) seed(info);

  // Non-COVID fever-clinic visits: over-dispersed daily counts per district
  // with weekday and seasonal effects, each by a random resident.
  std::vector<Event> today = std::move(events_[static_cast<size_t>(info.index)]);
  events_[static_cast<size_t>(info.index)].clear();
  for (uint8_t d = 0; d < kDistricts; ++d) {
    Rng r(s_.seed, Stream::kFeverBackground, d, static_cast<uint64_t>(info.index));
    int64_t n = r.neg_binomial(fever_background_mean(city_, info, d), kSignalDispersion);
    uint32_t first = city_.district_first_person[d], size = city_.district_first_person[d + 1] - first;
    for (int64_t i = 0; i < n; ++i) {
      uint32_t p = first + r.below(size);
      // Mostly daytime; a few at night (the clinic never closes).
      SimTime at = day_start + (r.chance(0.9) ? 8 * kHour + static_cast<SimTime>(r.below(14 * kHour))
                                              : static_cast<SimTime>(r.below(24 * kHour)));
      today.push_back({at, p, Event::kFeverVisit, fever_hospital(p, r), 1});
    }
  }
  std::sort(today.begin(), today.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.person != b.person) return a.person < b.person;
    return a.kind < b.kind;
  });
  std::vector<uint32_t> visited;  // one fever-clinic visit per person per day
  for (const Event& e : today) {
    switch (e.kind) {
      case Event::kArrival:
        specials.push_back({e.person, Special::kArrival, e.time, e.venue});
        break;
      case Event::kFeverVisit: {
        if (!present(e.person, e.time)) break;
        if (std::find(visited.begin(), visited.end(), e.person) != visited.end()) break;
        visited.push_back(e.person);
        specials.push_back({e.person, Special::kFeverVisit, e.time, e.venue});
        ++counts.fever_visits[city_.venues[e.venue].district];
        Rng r(s_.seed, Stream::kTests, e.person, static_cast<uint64_t>(e.time));
        SimTime sampled = e.time + static_cast<SimTime>(r.range(10, 40)) * 60;
        // Taken to quarantine soon after arriving (a household member's
        // result): the sample is taken before they go.
        if (removed_from_[e.person] > e.time)
          sampled = std::min(sampled, e.time + (removed_from_[e.person] - e.time) / 2);
        tests.push_back(test(e.person, sampled, e.venue, TestReason::kFeverClinic, 0, counts));
        break;
      }
      case Event::kPharmacy:
        if (!present(e.person, e.time)) break;
        specials.push_back({e.person, Special::kPharmacy, e.time, kNone});
        ++counts.pharmacy_excess[city_.persons[e.person].district];
        break;
      case Event::kQuarantineTest:
        tests.push_back(test(e.person, e.time, kNone, TestReason::kQuarantine, e.aux, counts));
        break;
    }
  }
  // The ill who are about and have nothing else planned stay home some days;
  // pupils who are ill or isolated miss school.
  for (const Case& k : cases_) {
    const uint32_t p = k.person;
    const bool isolated = removed_from_[p] <= day_start && day_start < removed_until_[p];
    const bool ill = k.symptomatic && k.onset < day_end && day_start < k.onset + 5 * kDay;
    const Person& x = city_.persons[p];
    if (info.school_day && (x.occ == Occupation::kPupil || x.occ == Occupation::kKindergarten) && (ill || isolated))
      ++counts.absent_excess[x.district];
    if (!ill || isolated || !present(p, day_start)) continue;
    if (std::find(visited.begin(), visited.end(), p) != visited.end()) continue;
    Rng r(s_.seed, Stream::kNatural, p, 100 + static_cast<uint64_t>(info.index));
    if (r.chance(s_.symptomatic_stay_home)) specials.push_back({p, Special::kStayHome, day_start, kNone});
  }
  std::stable_sort(specials.begin(), specials.end(),
                   [](const Special& a, const Special& b) { return a.person < b.person; });
  std::stable_sort(tests.begin(), tests.end(), [](const TestRecord& a, const TestRecord& b) {
    if (a.sampled != b.sampled) return a.sampled < b.sampled;
    return a.person < b.person;
  });
}

void Outbreak::transmit(const DayInfo& info, const std::vector<Stay>& stays, const std::vector<Trip>& trips,
                        const std::vector<Seat>& seats, std::vector<Infection>& infections) {
  infections.clear();
  const SimTime day_start = info.index * kDay, day_end = day_start + kDay;
  const uint64_t day = static_cast<uint64_t>(info.index);

  // Today's infectious persons and the part of the day each is infectious
  // and about (not isolated, not away).
  struct Active {
    uint32_t person;
    SimTime from, until;
    double rel;
  };
  std::vector<Active> active;
  for (const Case& k : cases_) {
    SimTime a = std::max({k.infectious_from, day_start, present_from_[k.person]});
    SimTime b = std::min(k.infectious_until, day_end);
    SimTime rf = removed_from_[k.person], ru = removed_until_[k.person];
    if (rf <= a)
      a = std::max(a, ru);
    else
      b = std::min(b, rf);
    if (a >= b) continue;
    slot_[k.person] = static_cast<int32_t>(active.size());
    active.push_back({k.person, a, b, k.symptomatic ? 1.0 : s_.asymptomatic_relative});
  }

  struct Candidate {
    SimTime time;
    uint32_t infectee, infector;
    Setting setting;
    uint64_t place;
  };
  std::vector<Candidate> cand;
  auto susceptible = [&](uint32_t p) { return case_of_[p] < 0; };

  // Households.
  for (const Active& x : active) {
    const Household& hh = city_.households[city_.persons[x.person].household];
    double hazard = s_.household_daily_rate * x.rel * static_cast<double>(x.until - x.from) / kDay;
    double prob = 1 - std::exp(-hazard);
    for (uint32_t m = hh.first_person; m < hh.first_person + hh.size; ++m) {
      if (m == x.person || !susceptible(m)) continue;
      Rng r(s_.seed, Stream::kHouseholdTx, (static_cast<uint64_t>(x.person) << 32) | m, day);
      if (!r.chance(prob)) continue;
      // Most likely in the evening, when the household is together.
      SimTime lo = std::max(x.from, day_start + 18 * kHour), hi = x.until;
      if (lo >= hi) lo = x.from;
      SimTime t = lo + static_cast<SimTime>(r.below(static_cast<uint32_t>(hi - lo)));
      if (!present(m, t)) continue;
      cand.push_back({t, m, x.person, Setting::kHousehold, city_.persons[m].household});
    }
  }

  // Venues: only those an infectious person stayed at while infectious.
  if (!active.empty()) {
    std::vector<uint8_t> hot(city_.venues.size(), 0);
    bool any = false;
    for (const Stay& s : stays) {
      int32_t a = slot_[s.person];
      if (a < 0) continue;
      const Active& x = active[static_cast<size_t>(a)];
      if (s.t_out > x.from && s.t_in < x.until) {
        hot[s.venue] = 1;
        any = true;
      }
    }
    if (any) {
      std::vector<uint32_t> idx;
      for (uint32_t i = 0; i < stays.size(); ++i)
        if (hot[stays[i].venue]) idx.push_back(i);
      std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
        const Stay &x = stays[a], &y = stays[b];
        if (x.venue != y.venue) return x.venue < y.venue;
        if (x.t_in != y.t_in) return x.t_in < y.t_in;
        return a < b;
      });
      for (size_t g = 0; g < idx.size();) {
        size_t e = g;
        const uint32_t v = stays[idx[g]].venue;
        while (e < idx.size() && stays[idx[e]].venue == v) ++e;
        const Venue& venue = city_.venues[v];
        const size_t kind = static_cast<size_t>(venue.kind);
        const double beta =
            s_.venue_beta[kind] * std::min(1.0, s_.venue_group_size[kind] / std::max<uint32_t>(1, venue.capacity));
        for (size_t i = g; i < e; ++i) {
          const Stay& si = stays[idx[i]];
          int32_t a = slot_[si.person];
          if (a < 0) continue;
          const Active& x = active[static_cast<size_t>(a)];
          SimTime from = std::max(si.t_in, x.from), until = std::min(si.t_out, x.until);
          if (from >= until) continue;
          for (size_t j = g; j < e; ++j) {
            const Stay& sj = stays[idx[j]];
            if (sj.t_in >= until) break;
            if (sj.t_out <= from || sj.person == si.person || !susceptible(sj.person)) continue;
            SimTime lo = std::max(from, sj.t_in), hi = std::min(until, sj.t_out);
            double minutes = (hi - lo) / 60.0;
            Rng r(s_.seed, Stream::kVenueTx, (day << 40) ^ (static_cast<uint64_t>(idx[i]) << 1), idx[j]);
            if (!r.chance(1 - std::exp(-beta * x.rel * minutes))) continue;
            SimTime t = lo + static_cast<SimTime>(r.below(static_cast<uint32_t>(std::max(1, hi - lo))));
            cand.push_back({t, sj.person, si.person, Setting::kVenue, v});
          }
        }
        g = e;
      }
    }
  }

  // Coaches: pairs within two rows of each other on the same trip.
  for (uint32_t ti = 0; ti < trips.size() && !active.empty(); ++ti) {
    const Trip& t = trips[ti];
    for (uint32_t i = t.first_seat; i < t.first_seat + t.seats; ++i) {
      int32_t a = slot_[seats[i].person];
      if (a < 0) continue;
      const Active& x = active[static_cast<size_t>(a)];
      SimTime from = std::max(t.departure, x.from), until = std::min(t.arrival, x.until);
      if (from >= until) continue;
      for (uint32_t j = t.first_seat; j < t.first_seat + t.seats; ++j) {
        if (j == i || std::abs(seats[j].row - seats[i].row) > 2 || !susceptible(seats[j].person)) continue;
        Rng r(s_.seed, Stream::kTripTx, t.id, (static_cast<uint64_t>(i - t.first_seat) << 8) | (j - t.first_seat));
        double minutes = (until - from) / 60.0;
        if (!r.chance(1 - std::exp(-s_.trip_beta * x.rel * minutes))) continue;
        SimTime at = from + static_cast<SimTime>(r.below(static_cast<uint32_t>(until - from)));
        cand.push_back({at, seats[j].person, seats[i].person, Setting::kTrip, t.id});
      }
    }
  }
  for (const Active& x : active) slot_[x.person] = -1;

  // The earliest exposure infects; later ones find the person infected.
  std::sort(cand.begin(), cand.end(), [](const Candidate& a, const Candidate& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.infectee != b.infectee) return a.infectee < b.infectee;
    if (a.infector != b.infector) return a.infector < b.infector;
    return a.setting < b.setting;
  });
  for (const Candidate& c : cand) {
    if (!susceptible(c.infectee)) continue;
    infect(c.infectee, c.time, c.infector, c.setting, c.place);
  }
  infections = std::move(pending_);
  pending_.clear();
}

Outcome outcome(const std::vector<int64_t>& cumulative, int64_t persons) {
  Outcome o;
  o.infections = cumulative.empty() ? 0 : cumulative.back();
  o.attack_rate = persons > 0 ? static_cast<double>(o.infections) / static_cast<double>(persons) : 0;
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t d = 0; d < cumulative.size(); ++d) {
    if (cumulative[d] < 5) continue;
    double x = static_cast<double>(d), y = std::log(static_cast<double>(cumulative[d]));
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  double slope = n >= 2 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0;
  o.doubling_days = slope > 1e-9 ? std::log(2.0) / slope : INFINITY;
  return o;
}

}  // namespace epinet::sim
