#include "sim/movement.h"

#include <algorithm>
#include <cmath>

namespace epinet::sim {
namespace {

constexpr int kMin = 60;  // seconds

// Builds one person's day. Times are seconds after the day's local midnight
// until emitted; `cursor` only moves forward, so stays never overlap.
class PersonDay {
 public:
  PersonDay(const DayInput& in, uint32_t person, Rng& r, std::vector<Stay>& out, std::vector<SeatRequest>& requests,
            const Special* sp_begin, const Special* sp_end)
      : in_(in),
        c_(*in.city),
        pid_(person),
        p_(c_.persons[person]),
        r_(r),
        out_(out),
        requests_(requests),
        sp_begin_(sp_begin),
        sp_end_(sp_end) {}

  int cursor = 0;

  // A stay at venue v from `start` for `dur` seconds, fitted into the venue's
  // opening hours; skipped when less than `min_dur` remains. Returns whether
  // it was added.
  bool stay(uint32_t v, int start, int dur, uint8_t entrance, int min_dur = 5 * kMin, int limit = 86400 - 60) {
    const Venue& x = c_.venues[v];
    start = std::max(start, cursor);
    int opens = x.opens * kMin, closes = x.closes * kMin;
    if (start < opens) start = opens + static_cast<int>(r_.below(10 * kMin));
    int end = std::min({start + dur, closes, limit});
    if (end - start < min_dur) return false;
    emit(v, start, end, entrance);
    return true;
  }
  // A stay as given (already fitted). Leaving home, the person first scans
  // out at the compound gate where the compound asks for that, if there is
  // time for it since the last stay.
  void emit(uint32_t v, int start, int end, uint8_t entrance) {
    const Compound& home_compound = c_.compounds[p_.compound];
    if (at_home_ && v != home_compound.gate) {
      at_home_ = false;
      int leave = start - (5 + static_cast<int>(r_.below(15))) * kMin;
      if (home_compound.scan_out && leave >= cursor && leave >= 0)
        out_.push_back({pid_, home_compound.gate, in_.day_start + leave,
                        in_.day_start + leave + 20 + static_cast<int>(r_.below(60)), p_.gate_entrance});
    }
    end = std::min(end, 86400 - 1);  // a stay ends within its day
    if (end <= start) return;
    out_.push_back({pid_, v, in_.day_start + start, in_.day_start + end, entrance});
    cursor = end;
  }
  // Passing the compound gate on the way home, `travel` after the cursor.
  void home(int travel) {
    int t = cursor + travel;
    if (t >= 86400 - 240) return;
    uint32_t gate = c_.compounds[p_.compound].gate;
    emit(gate, t, t + 40 + static_cast<int>(r_.below(140)), p_.gate_entrance);
    at_home_ = true;
  }
  int travel() { return (8 + static_cast<int>(r_.below(18))) * kMin; }

  // A venue of kind k for this person: the usual one most of the time, else
  // one drawn by popularity in the district (or the community of `near`).
  uint32_t pick(VenueKind k, uint8_t district, uint32_t near_community, double habit = 0.6) {
    const AliasTable& t = c_.venues_of(district, k);
    if (t.empty()) return kNone;
    if (district == p_.district && r_.chance(habit)) {
      Rng h(c_.scenario.seed, Stream::kPerson, pid_, 1000 + static_cast<uint64_t>(k));
      return pick_from(h, t, c_.community_of(pid_), k);
    }
    return pick_from(r_, t, near_community, k);
  }
  uint32_t pick_from(Rng& g, const AliasTable& t, uint32_t community, VenueKind k) {
    if (community != kNone && g.chance(0.5)) {
      auto [b, e] = c_.local(community, k);
      if (b != e) return b[g.below(static_cast<uint32_t>(e - b))];
    }
    return t.sample(g);
  }

  // An errand: travel, a stay of [lo, hi] minutes at a venue of kind k, and
  // (with `go_home`) the compound gate on the way back.
  bool errand(VenueKind k, int earliest, int lo, int hi, bool go_home, uint32_t near = kNone, uint8_t district = 0xff) {
    uint32_t v = pick(k, district == 0xff ? p_.district : district, near == kNone ? c_.community_of(pid_) : near);
    if (v == kNone) return false;
    int start = std::max(earliest, cursor + travel());
    if (!stay(v, start, r_.range(lo, hi) * kMin, entrance_for(v))) return false;
    if (go_home) home(travel());
    return true;
  }

  uint8_t entrance_for(uint32_t v) {
    const Venue& x = c_.venues[v];
    switch (x.kind) {
      case VenueKind::kServiceHall:
        return p_.age >= 65 && r_.chance(0.3) ? 2 : 0;
      case VenueKind::kMarket:
      case VenueKind::kKindergarten:
      case VenueKind::kPrimarySchool:
      case VenueKind::kMiddleSchool:
      case VenueKind::kHighSchool:
      case VenueKind::kUniversity:
        return static_cast<uint8_t>(r_.below(x.n_entrances));
      default:
        return 0;
    }
  }

  // ---- the day types ------------------------------------------------------

  void run() {
    const DayInfo& d = in_.info;
    if (sp_begin_ != sp_end_) {
      special();
      return;
    }
    if (p_.age >= 18 && p_.age <= 75 && p_.occ != Occupation::kDriver) {
      double f = c_.scenario.coach_daily_fraction * (d.workday ? 1.0 : 1.4);
      double u = r_.uniform();
      if (u < f) {
        coach_day();
        return;
      }
      if (u < f + 0.003 && c_.rail_station[p_.district] != kNone && p_.age <= 70) {
        rail_day();
        return;
      }
    }
    switch (p_.occ) {
      case Occupation::kInfant:
        infant_day();
        break;
      case Occupation::kKindergarten:
      case Occupation::kPupil:
      case Occupation::kCollege:
        if (d.school_day)
          school_day();
        else
          leisure_day();
        break;
      case Occupation::kWorker:
        if (works_today())
          work_day();
        else
          leisure_day();
        break;
      case Occupation::kDriver:
        if (d.weekday == p_.offday)
          leisure_day();
        else
          driver_day();
        break;
      case Occupation::kFarmer:
        farmer_day();
        break;
      case Occupation::kHome:
      case Occupation::kRetired:
        home_day();
        break;
      default:
        break;
    }
  }

  bool works_today() {
    const DayInfo& d = in_.info;
    VenueKind k = c_.venues[p_.work].kind;
    if (works_in_shifts(k))
      return d.weekday != p_.offday && !(k == VenueKind::kTraining && d.weekday == (p_.offday + 1) % 7);
    if (is_school(k)) return d.school_day;
    if (k == VenueKind::kFactory) return d.workday || (d.weekday == 5 && r_.chance(0.4));
    return d.workday;
  }

  void work_day() {
    const Venue& w = c_.venues[p_.work];
    const VenueKind k = w.kind;
    int start, end;
    bool lunch_out = false;
    uint8_t door =
        (k == VenueKind::kOffice || k == VenueKind::kFactory) ? (r_.chance(0.7) ? 1 : 0) : entrance_for(p_.work);
    if (works_in_shifts(k)) {
      if (w.opens == 0 && w.closes == 1440) {  // hospital: day or late shift
        start = p_.late_shift ? (15 * 60 + 30) * kMin : (7 * 60 + 30) * kMin;
        end = start + (8 * 60 + 30) * kMin;
      } else if (k == VenueKind::kBusStation || k == VenueKind::kRailStation) {
        start = p_.late_shift ? 13 * 3600 + 30 * kMin : 5 * 3600 + 45 * kMin;
        end = start + (8 * 60 + 15) * kMin;
      } else {
        start = p_.late_shift ? w.closes * kMin - (8 * 60 + 30) * kMin : w.opens * kMin - 30 * kMin;
        end = start + (8 * 60 + 30) * kMin;
      }
      start += static_cast<int>(r_.normal(0, 8)) * kMin;
      end += static_cast<int>(r_.normal(0, 10)) * kMin;
    } else if (k == VenueKind::kFactory) {
      start = p_.late_shift ? 13 * 3600 + 30 * kMin : 7 * 3600 + 30 * kMin;
      start += static_cast<int>(r_.normal(0, 8)) * kMin;
      end = start + (8 * 60 + 30) * kMin + static_cast<int>(r_.normal(0, 10)) * kMin;
    } else if (is_school(k)) {
      start = (7 * 60 + 20) * kMin + static_cast<int>(r_.below(40 * kMin));
      end = (k == VenueKind::kHighSchool ? 18 * 3600 : 17 * 3600) + static_cast<int>(r_.normal(0, 20)) * kMin;
    } else {  // office, service hall, clinic
      start = (8 * 60 + 30) * kMin + static_cast<int>(r_.normal(0, 15) * kMin);
      end = (17 * 60 + 40) * kMin + static_cast<int>(r_.normal(0, 25) * kMin);
      lunch_out = r_.chance(0.5);
    }
    start = std::clamp(start, 4 * 3600, 20 * 3600);
    end = std::clamp(end, start + 4 * 3600, 86400 - 30 * kMin);
    if (start < 10 * 3600 && r_.chance(0.15)) {  // breakfast on the way, where a place is open
      int dur = r_.range(10, 20) * kMin;
      int at = start - dur - r_.range(5, 15) * kMin;
      for (int tries = 0; tries < 3; ++tries) {
        uint32_t b = pick(VenueKind::kRestaurant, w.district, w.community, 0.5);
        if (b == kNone || c_.venues[b].opens * kMin > at) continue;
        emit(b, at, start - 5 * kMin, 0);
        break;
      }
    }
    // Fit into the workplace's hours (its staff arrive a little before it opens).
    if (lunch_out) {
      int lunch = (11 * 60 + 55) * kMin + static_cast<int>(r_.below(20 * kMin));
      emit(p_.work, start, lunch, door);
      uint32_t v = pick(VenueKind::kRestaurant, w.district, w.community, 0.3);
      if (v != kNone) stay(v, lunch + static_cast<int>(r_.range(4, 12)) * kMin, r_.range(25, 55) * kMin, 0);
      int back = std::max(cursor + r_.range(4, 12) * kMin, (12 * 60 + 50) * kMin);
      emit(p_.work, back, std::max(back + 3600, end), door);
    } else {
      emit(p_.work, start, end, door);
    }
    if (cursor < 20 * 3600) after_work();
    home(travel());
  }

  void after_work() {
    double u = r_.uniform();
    if (u < 0.18)
      errand(VenueKind::kSupermarket, 0, 15, 50, false);
    else if (u < 0.26)
      errand(VenueKind::kMarket, 0, 15, 40, false);
    else if (u < 0.36)
      errand(VenueKind::kShop, 0, 3, 12, false);
    else if (u < 0.46)
      errand(VenueKind::kRestaurant, 0, 45, 100, false);
    else if (u < 0.53)
      errand(VenueKind::kGym, 0, 50, 100, false);
    if (r_.chance(0.15)) errand(VenueKind::kShop, 0, 3, 10, false);
    if (r_.chance(0.015)) errand(VenueKind::kPharmacy, 0, 5, 15, false);
  }

  void school_day() {
    VenueKind k = c_.venues[p_.work].kind;
    int start, end;
    switch (k) {
      case VenueKind::kKindergarten:
        start = (7 * 60 + 50) * kMin + static_cast<int>(r_.below(40 * kMin));
        end = (16 * 60 + 30) * kMin + static_cast<int>(r_.below(60 * kMin));
        break;
      case VenueKind::kHighSchool:
        start = (6 * 60 + 50) * kMin + static_cast<int>(r_.below(25 * kMin));
        end = (18 * 60 + 10) * kMin + static_cast<int>(r_.below(30 * kMin));
        break;
      case VenueKind::kUniversity:
        start = (7 * 60 + 40) * kMin + static_cast<int>(r_.below(120 * kMin));
        end = (16 * 60) * kMin + static_cast<int>(r_.below(180 * kMin));
        break;
      default:
        start = (7 * 60 + 20) * kMin + static_cast<int>(r_.below(30 * kMin));
        end = (16 * 60 + 30) * kMin + static_cast<int>(r_.below(60 * kMin));
    }
    if (k == VenueKind::kUniversity && r_.chance(0.5)) {
      int lunch = (11 * 60 + 50) * kMin + static_cast<int>(r_.below(20 * kMin));
      emit(p_.work, start, lunch, entrance_for(p_.work));
      uint32_t v = pick(VenueKind::kRestaurant, p_.district, c_.venues[p_.work].community, 0.3);
      if (v != kNone) stay(v, lunch + r_.range(5, 10) * kMin, r_.range(25, 50) * kMin, 0);
      int back = std::max(cursor + r_.range(4, 12) * kMin, (13 * 60 + 30) * kMin);
      emit(p_.work, back, std::max(back + 3600, end), entrance_for(p_.work));
    } else {
      emit(p_.work, start, end, entrance_for(p_.work));
    }
    double u = r_.uniform();
    if (k != VenueKind::kKindergarten && u < 0.15)
      errand(VenueKind::kTraining, 0, 80, 120, false);
    else if (u < 0.40)
      errand(VenueKind::kShop, 0, 3, 10, false);
    else if (u < 0.48)
      errand(VenueKind::kSupermarket, 0, 15, 40, false);
    else if (k == VenueKind::kUniversity && u < 0.65)
      errand(VenueKind::kRestaurant, 0, 40, 90, false);
    home(travel());
  }

  void leisure_day() {
    // Weekend, holiday or day off: up to two outings, each ending at the gate.
    const bool child = p_.age < 14;
    int morning = (8 * 60 + 30) * kMin + static_cast<int>(r_.below(150 * kMin));
    double u = r_.uniform();
    if (joint_) {
      // The household's joint meal out (drawn once per household).
      int start = joint_start_ + static_cast<int>(r_.below(6 * kMin));
      if (stay(joint_venue_, start, joint_minutes_ * kMin + static_cast<int>(r_.below(5 * kMin)), 0)) home(travel());
    }
    if (child) {
      if (u < 0.35) {
        errand(VenueKind::kTraining, morning, 80, 120, true);
      } else if (u < 0.55) {
        errand(VenueKind::kSupermarket, morning, 20, 60, true);
      }
      if (!joint_ && r_.chance(0.15)) errand(VenueKind::kRestaurant, 17 * 3600 + 30 * kMin, 45, 90, true);
      return;
    }
    if (u < 0.20)
      errand(VenueKind::kSupermarket, morning, 20, 60, true);
    else if (u < 0.32)
      errand(VenueKind::kMarket, morning - 60 * kMin, 15, 45, true);
    else if (u < 0.40)
      errand(VenueKind::kShop, morning, 3, 12, true);
    else if (u < 0.48)
      errand(VenueKind::kGym, morning, 50, 110, true);
    else if (u < 0.50 && in_.info.weekday == 5)
      errand(VenueKind::kServiceHall, 9 * 3600, 25, 80, true);
    double v = r_.uniform();
    int afternoon = std::max(cursor, 14 * 3600 + static_cast<int>(r_.below(4 * 3600)));
    if (!joint_ && v < 0.22)
      errand(VenueKind::kRestaurant, std::max(afternoon, 17 * 3600 + static_cast<int>(r_.below(90 * kMin))), 50, 120,
             true);
    else if (v < 0.40)
      errand(VenueKind::kSupermarket, afternoon, 20, 60, true);
    else if (v < 0.50)
      errand(VenueKind::kShop, afternoon, 3, 12, true);
    else if (v < 0.55)
      errand(VenueKind::kGym, afternoon, 50, 100, true);
    if (r_.chance(0.01)) errand(VenueKind::kPharmacy, 0, 5, 15, true);
    if (r_.chance(0.004)) errand(VenueKind::kHospital, 0, 60, 180, true);
  }

  void home_day() {
    const bool old = p_.occ == Occupation::kRetired;
    const DayInfo& d = in_.info;
    if (!d.workday && r_.chance(0.5)) {
      leisure_day();
      return;
    }
    // Morning outing.
    double u = r_.uniform();
    int morning = (6 * 60 + 40) * kMin + static_cast<int>(r_.below(180 * kMin));
    if (u < (old ? 0.38 : 0.25))
      errand(VenueKind::kMarket, morning, 15, 50, true);
    else if (u < (old ? 0.62 : 0.55))
      errand(VenueKind::kSupermarket, morning + 60 * kMin, 20, 60, true);
    else if (u < (old ? 0.74 : 0.67))
      errand(VenueKind::kShop, morning, 3, 12, true);
    else if (u < (old ? 0.80 : 0.75))
      errand(VenueKind::kGym, morning, 45, 100, true);
    // Health and errands.
    if (r_.chance(old ? 0.012 : 0.005))
      errand(VenueKind::kHospital, 8 * 3600 + static_cast<int>(r_.below(3 * 3600)), 60, 200, true);
    else if (r_.chance(old ? 0.03 : 0.012))
      errand(VenueKind::kClinic, 8 * 3600 + static_cast<int>(r_.below(6 * 3600)), 20, 60, true);
    if (d.workday && r_.chance(0.006))
      errand(VenueKind::kServiceHall, 9 * 3600 + static_cast<int>(r_.below(5 * 3600)), 25, 90, true);
    if (r_.chance(old ? 0.025 : 0.012)) errand(VenueKind::kPharmacy, 0, 5, 15, true);
    // Afternoon outing.
    double v = r_.uniform();
    int afternoon = std::max(cursor, 14 * 3600 + static_cast<int>(r_.below(4 * 3600)));
    if (v < 0.20)
      errand(VenueKind::kSupermarket, afternoon, 20, 60, true);
    else if (v < 0.34)
      errand(VenueKind::kShop, afternoon, 3, 12, true);
    else if (v < 0.42)
      errand(VenueKind::kRestaurant, std::max(afternoon, 17 * 3600), 45, 100, true);
    else if (v < 0.47)
      errand(VenueKind::kGym, afternoon, 50, 100, true);
  }

  void infant_day() {
    if (r_.chance(0.2))
      errand(r_.chance(0.5) ? VenueKind::kSupermarket : VenueKind::kMarket,
             9 * 3600 + static_cast<int>(r_.below(6 * 3600)), 20, 50, true);
    if (r_.chance(0.01)) errand(VenueKind::kClinic, 8 * 3600 + static_cast<int>(r_.below(6 * 3600)), 20, 60, true);
  }

  // Scanning out at the compound gate (where the compound asks for it).
  void gate_out(int t) {
    if (t < cursor || !c_.compounds[p_.compound].scan_out) return;
    emit(c_.compounds[p_.compound].gate, t, t + 20 + static_cast<int>(r_.below(60)), p_.gate_entrance);
    at_home_ = false;
  }

  void farmer_day() {
    // Out to the fields through the compound (village) gate, back for lunch,
    // out again, and back at dusk.
    gate_out((6 * 60) * kMin + static_cast<int>(r_.below(90 * kMin)));
    cursor = (11 * 60 + 30) * kMin + static_cast<int>(r_.below(60 * kMin));
    home(0);
    if (r_.chance(0.15))
      errand(VenueKind::kMarket, 14 * 3600, 15, 40, false);
    else
      gate_out((13 * 60 + 30) * kMin + static_cast<int>(r_.below(60 * kMin)));
    cursor = std::max(cursor, (17 * 60 + 30) * kMin + static_cast<int>(r_.below(90 * kMin)));
    home(0);
    if (r_.chance(0.12)) errand(VenueKind::kShop, cursor + 30 * kMin, 3, 12, true);
  }

  void driver_day() {
    // Coach drivers leave before dawn and are on the road in service hours
    // (their trips are in trips.csv): home through the gate in the evening.
    gate_out((5 * 60 + 10) * kMin + static_cast<int>(r_.below(40 * kMin)));
    cursor = (20 * 60 + 15) * kMin + static_cast<int>(r_.below(45 * kMin));
    if (r_.chance(0.15)) errand(VenueKind::kShop, cursor, 3, 12, false);
    home(static_cast<int>(r_.below(10 * kMin)));
  }

  // ---- trips -------------------------------------------------------------

  void coach_day() {
    const uint8_t d = p_.district;
    // Destination: Yuci or Taiyuan from a county; Taiyuan or a county from Yuci.
    uint16_t route = 0;
    uint8_t dir = 0;
    const auto& from = c_.routes_from[d];
    if (from.empty()) return leisure_day();
    if (d == 0) {
      if (r_.chance(0.4)) {
        for (uint16_t rt : from)
          if (c_.routes[rt].to_district < 0) route = rt;
        dir = 0;
      } else {
        // A county's route to Yuci, travelled backwards; counties by population.
        uint32_t person =
            c_.district_first_person[1] + r_.below(c_.district_first_person[kDistricts] - c_.district_first_person[1]);
        uint8_t dest = c_.persons[person].district;
        for (uint16_t rt : from)
          if (c_.routes[rt].from_district == dest) route = rt;
        dir = 1;
      }
    } else {
      bool taiyuan = r_.chance(0.35);
      for (uint16_t rt : from) {
        const Route& x = c_.routes[rt];
        if (x.from_district == d && (x.to_district < 0) == taiyuan) route = rt;
      }
      dir = 0;
    }
    const Route& rt = c_.routes[route];
    const auto& out_deps = rt.departures[dir];
    const auto& back_deps = rt.departures[1 - dir];
    int want_out = static_cast<int>(std::clamp(r_.normal(8.5 * 60, 75), 6.5 * 60, 11.5 * 60));
    int out_slot = slot_at_or_after(out_deps, want_out, 0, 720);
    if (out_slot < 0) return leisure_day();
    int dep = out_deps[static_cast<size_t>(out_slot)] * kMin;
    int arr = dep + rt.minutes * kMin;
    int want_back = static_cast<int>(std::clamp(r_.normal(15.5 * 60, 80), 12.5 * 60, 17.5 * 60));
    want_back = std::max(want_back, arr / kMin + 90);
    int back_slot = slot_at_or_after(back_deps, want_back, 720, 1440);
    if (back_slot < 0) return leisure_day();
    int back_dep = back_deps[static_cast<size_t>(back_slot)] * kMin;
    int back_arr = back_dep + rt.minutes * kMin;
    if (back_dep < arr + 70 * kMin) return leisure_day();  // no coach back in time today

    uint32_t origin = dir == 0 ? rt.from_station : rt.to_station;
    uint32_t dest = dir == 0 ? rt.to_station : rt.from_station;
    int dest_district = dir == 0 ? rt.to_district : rt.from_district;
    emit(origin, dep - r_.range(15, 40) * kMin, dep, 0);
    requests_.push_back({pid_, route, dir, static_cast<uint8_t>(out_slot)});
    cursor = arr;
    if (dest != kNone) {
      emit(dest, arr, arr + r_.range(2, 6) * kMin, 1);
      // Business in the destination district until the coach back.
      uint8_t dd = static_cast<uint8_t>(dest_district);
      int until = back_dep - 50 * kMin;
      double u = r_.uniform();
      VenueKind k = u < 0.3    ? VenueKind::kOffice
                    : u < 0.45 ? VenueKind::kHospital
                    : u < 0.55 ? VenueKind::kServiceHall
                    : u < 0.8  ? VenueKind::kMarket
                               : VenueKind::kSupermarket;
      uint32_t v = pick(k, dd, kNone);
      if (v != kNone) stay(v, cursor + travel(), r_.range(40, 180) * kMin, entrance_for(v), 15 * kMin, until);
      if (cursor < 13 * 3600) {
        uint32_t rest = pick(VenueKind::kRestaurant, dd, kNone);
        if (rest != kNone)
          stay(rest, std::max(cursor + travel(), 11 * 3600 + 45 * kMin), r_.range(30, 60) * kMin, 0, 15 * kMin, until);
      }
      // Waiting for the coach back (cursor <= until = departure − 50 min here).
      emit(dest, std::max(cursor + 10 * kMin, back_dep - r_.range(15, 40) * kMin), back_dep, 0);
    }
    requests_.push_back({pid_, route, static_cast<uint8_t>(1 - dir), static_cast<uint8_t>(back_slot)});
    cursor = back_arr;
    if (back_arr < 86400 - 30 * kMin) {
      emit(origin, back_arr, back_arr + r_.range(2, 6) * kMin, 1);
      home(travel() + 10 * kMin);
    }
  }
  static int slot_at_or_after(const std::vector<uint16_t>& deps, int minute, int lo, int hi) {
    int last = -1;
    for (size_t i = 0; i < deps.size(); ++i) {
      if (deps[i] < lo || deps[i] >= hi) continue;
      if (deps[i] >= minute) return static_cast<int>(i);
      last = static_cast<int>(i);
    }
    return last;
  }

  void rail_day() {
    uint32_t st = c_.rail_station[p_.district];
    int dep = (7 * 60) * kMin + static_cast<int>(r_.below(4 * 3600));
    emit(st, dep - r_.range(20, 50) * kMin, dep, 0);
    int back = 17 * 3600 + static_cast<int>(r_.below(4 * 3600 + 30 * kMin));
    emit(st, back, back + r_.range(3, 10) * kMin, 1);
    home(travel() + 10 * kMin);
  }

  // ---- what the outbreak imposes -----------------------------------------

  // The day of someone the outbreak concerns: an arrival from outside the
  // city, a fever-clinic visit, a pharmacy purchase, in time order; a day at
  // home otherwise.
  void special() {
    const Special* order[8];
    int n = 0;
    for (const Special* s = sp_begin_; s != sp_end_ && n < 8; ++s) order[n++] = s;
    std::sort(order, order + n, [](const Special* a, const Special* b) {
      return a->time != b->time ? a->time < b->time : a->kind < b->kind;
    });
    bool went_out = false;
    for (int i = 0; i < n; ++i) {
      const Special& sp = *order[i];
      int t = std::max(sp.time - in_.day_start, cursor);
      if (t >= 86400 - 10 * kMin) break;
      switch (sp.kind) {
        case Special::kArrival:
          at_home_ = false;
          emit(sp.venue, t, t + r_.range(5, 15) * kMin, 1);
          cursor += 15 * kMin;  // on the way home
          went_out = true;
          break;
        case Special::kFeverVisit:
          emit(sp.venue, t, t + r_.range(60, 180) * kMin, 1);
          went_out = true;
          break;
        case Special::kPharmacy: {
          uint32_t v = pick(VenueKind::kPharmacy, p_.district, c_.community_of(pid_));
          if (v != kNone && stay(v, t, r_.range(5, 12) * kMin, 0, kMin)) went_out = true;
          break;
        }
        case Special::kStayHome:
          break;
      }
    }
    if (went_out) home(travel());
  }

  // Household-level joint outing, set by the caller.
  bool at_home_ = true;  // false while out (and for someone arriving from outside the city)
  bool joint_ = false;
  uint32_t joint_venue_ = kNone;
  int joint_start_ = 0, joint_minutes_ = 0;

 private:
  const DayInput& in_;
  const City& c_;
  uint32_t pid_;
  const Person& p_;
  Rng& r_;
  std::vector<Stay>& out_;
  std::vector<SeatRequest>& requests_;
  const Special* sp_begin_;
  const Special* sp_end_;
};

}  // namespace

void generate_households(const DayInput& in, uint32_t first, uint32_t last, std::vector<Stay>& stays,
                         std::vector<SeatRequest>& requests) {
  const City& c = *in.city;
  const auto& removed = *in.removed_from;
  const auto& present = *in.present_from;
  const auto& specials = *in.specials;
  const SimTime day_end = in.day_start + 86400;
  const uint64_t seed = c.scenario.seed;
  const uint64_t day = static_cast<uint64_t>(in.info.index);
  if (first >= last) return;
  // The first special at or after this range's first person.
  uint32_t first_person = c.households[first].first_person;
  auto sp = std::lower_bound(specials.begin(), specials.end(), first_person,
                             [](const Special& s, uint32_t p) { return s.person < p; });
  for (uint32_t h = first; h < last; ++h) {
    const Household& hh = c.households[h];
    // A joint meal out on days off: drawn once for the household.
    bool joint = false;
    uint32_t joint_venue = kNone;
    int joint_start = 0, joint_minutes = 0;
    if (!in.info.workday && hh.size >= 2) {
      Rng hr(seed, Stream::kHouseholdDay, h, day);
      if (hr.chance(0.22)) {
        const Person& head = c.persons[hh.first_person];
        const AliasTable& t = c.venues_of(head.district, VenueKind::kRestaurant);
        if (!t.empty()) {
          joint = true;
          joint_venue = t.sample(hr);
          joint_start = hr.chance(0.5) ? (11 * 60 + 30) * kMin + static_cast<int>(hr.below(60 * kMin))
                                       : (17 * 60 + 30) * kMin + static_cast<int>(hr.below(75 * kMin));
          joint_minutes = hr.range(50, 110);
        }
      }
    }
    for (uint32_t i = hh.first_person; i < hh.first_person + hh.size; ++i) {
      while (sp != specials.end() && sp->person < i) ++sp;
      auto sp_end = sp;
      while (sp_end != specials.end() && sp_end->person == i) ++sp_end;
      const SimTime gone = removed[i];
      if (gone <= in.day_start) continue;
      if (present[i] >= day_end) continue;
      const Special* sb = sp == sp_end ? nullptr : &*sp;
      const Special* se = sp == sp_end ? nullptr : sb + (sp_end - sp);
      if (present[i] > in.day_start && !sb) {  // away until a later day's arrival
        sp = sp_end;
        continue;
      }
      Rng r(seed, Stream::kPersonDay, i, day);
      size_t before = stays.size(), req_before = requests.size();
      PersonDay pd(in, i, r, stays, requests, sb, se);
      pd.joint_ = joint && c.persons[i].occ != Occupation::kDriver;
      pd.joint_venue_ = joint_venue;
      pd.joint_start_ = joint_start;
      pd.joint_minutes_ = joint_minutes;
      pd.run();
      if (gone < day_end) {
        // Isolated or quarantined during the day: nothing from then on.
        size_t keep = before;
        for (size_t s = before; s < stays.size(); ++s) {
          if (stays[s].t_in >= gone) continue;
          if (stays[s].t_out > gone) stays[s].t_out = gone;
          stays[keep++] = stays[s];
        }
        stays.resize(keep);
        // Coach requests after the cut: the first leg's departure decides.
        if (requests.size() > req_before) {
          const SeatRequest& q = requests[req_before];
          const Route& rt = c.routes[q.route];
          SimTime dep = in.day_start + rt.departures[q.direction][q.slot] * kMin;
          if (dep >= gone)
            requests.resize(req_before);
          else if (requests.size() > req_before + 1) {
            const SeatRequest& b = requests[req_before + 1];
            SimTime back = in.day_start + c.routes[b.route].departures[b.direction][b.slot] * kMin;
            if (back >= gone) requests.resize(req_before + 1);
          }
        }
      }
      sp = sp_end;
    }
  }
}

void assign_trips(const City& c, const DayInfo& info, SimTime day_start, const std::vector<SeatRequest>& requests,
                  std::vector<Trip>& trips, std::vector<Seat>& seats) {
  // Group by departure (route, direction, slot), keeping person order.
  std::vector<uint32_t> order(requests.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const SeatRequest &x = requests[a], &y = requests[b];
    if (x.route != y.route) return x.route < y.route;
    if (x.direction != y.direction) return x.direction < y.direction;
    return x.slot < y.slot;
  });
  const uint64_t seed = c.scenario.seed;
  const uint64_t day = static_cast<uint64_t>(info.index);
  std::array<uint32_t, kDistricts> driver_next{};
  for (size_t i = 0; i < order.size();) {
    const SeatRequest& q = requests[order[i]];
    size_t j = i;
    while (j < order.size() && requests[order[j]].route == q.route && requests[order[j]].direction == q.direction &&
           requests[order[j]].slot == q.slot)
      ++j;
    const Route& rt = c.routes[q.route];
    SimTime dep = day_start + rt.departures[q.direction][q.slot] * kMin;
    uint8_t origin = q.direction == 0 ? rt.from_district : static_cast<uint8_t>(rt.to_district);
    if (q.direction == 1 && rt.to_district < 0) origin = 0xff;  // from Taiyuan: a Taiyuan crew, not simulated
    size_t passengers = j - i;
    for (uint16_t vehicle = 0; passengers > 0; ++vehicle) {
      size_t on = std::min<size_t>(passengers, kCoachSeats);
      Trip t;
      t.id = day * 1000000ULL + trips.size() + 1;
      t.route = q.route;
      t.direction = q.direction;
      t.slot = q.slot;
      t.vehicle = vehicle;
      t.departure = dep;
      t.arrival = dep + rt.minutes * kMin;
      t.first_seat = static_cast<uint32_t>(seats.size());
      uint32_t trip_index = static_cast<uint32_t>(trips.size());
      if (origin != 0xff && !c.drivers[origin].empty()) {
        const auto& roster = c.drivers[origin];
        uint32_t k = (driver_next[origin]++ + static_cast<uint32_t>(day) * 7) % static_cast<uint32_t>(roster.size());
        seats.push_back({trip_index, roster[k], 0, 1});
      }
      // Seats: "every other seat" first (a pandemic rule), then the rest, at random.
      Rng r(seed, Stream::kSeats,
            (static_cast<uint64_t>(q.route) << 24) | (static_cast<uint64_t>(q.direction) << 16) |
                (static_cast<uint64_t>(q.slot) << 8) | vehicle,
            day);
      std::array<uint8_t, kCoachSeats> plan{};
      int n = 0;
      for (int pass = 0; pass < 2; ++pass)
        for (int s = 0; s < kCoachSeats; ++s)
          if (((s / kCoachCols + s % kCoachCols) % 2) == pass) plan[n++] = static_cast<uint8_t>(s);
      for (int a = 0; a < 2; ++a) {  // shuffle each half
        int lo = a == 0 ? 0 : kCoachSeats / 2, hi = a == 0 ? kCoachSeats / 2 : kCoachSeats;
        for (int s = hi - 1; s > lo; --s) std::swap(plan[s], plan[lo + r.below(static_cast<uint32_t>(s - lo + 1))]);
      }
      for (size_t k = 0; k < on; ++k) {
        uint8_t s = plan[k];
        seats.push_back({trip_index, requests[order[i + vehicle * kCoachSeats + k]].person,
                         static_cast<uint8_t>(s / kCoachCols + 1), static_cast<uint8_t>(s % kCoachCols + 1)});
      }
      t.seats = static_cast<uint32_t>(seats.size()) - t.first_seat;
      trips.push_back(t);
      passengers -= on;
    }
    i = j;
  }
}

std::string vehicle_plate(const City& c, const Trip& t) {
  uint64_t h = stream_key(c.scenario.seed, Stream::kSchedule, (static_cast<uint64_t>(t.route) << 16) | t.direction,
                          (static_cast<uint64_t>(t.slot) << 16) | t.vehicle);
  static constexpr char kLetters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  std::string plate = "晋K";
  plate += kLetters[h % 24];
  h /= 24;
  for (int i = 0; i < 4; ++i, h /= 10) plate += static_cast<char>('0' + h % 10);
  return plate;
}

std::string route_name(const City& c, const Trip& t) {
  std::string route = c.routes[t.route].name;
  if (t.direction == 1) {
    auto dash = route.find("—");
    if (dash != std::string::npos) route = route.substr(dash + 3) + "—" + route.substr(0, dash);
  }
  return route;
}

uint32_t trip_from(const City& c, const Trip& t) {
  return t.direction == 0 ? c.routes[t.route].from_station : c.routes[t.route].to_station;
}

uint32_t trip_to(const City& c, const Trip& t) {
  return t.direction == 0 ? c.routes[t.route].to_station : c.routes[t.route].from_station;
}

}  // namespace epinet::sim
