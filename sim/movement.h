// Daily movement: each person's day as a sequence of venue stays, and
// intercity coach trips with seat plans. Pure functions of the city, the day,
// and what the outbreak imposes on that day (isolation, fever-clinic visits …).
#pragma once
#include <cstdint>
#include <vector>

#include "sim/calendar.h"
#include "sim/city.h"

namespace epinet::sim {

// Times inside the simulator: seconds since the local midnight that starts
// day 0 (Unix = City start + t). 32 bits cover 68 years.
using SimTime = int32_t;
inline constexpr SimTime kNever = 0x7fffffff;

// One stay: a check-in at an entrance, and the check-out.
struct Stay {
  uint32_t person = 0;
  uint32_t venue = 0;
  SimTime t_in = 0, t_out = 0;
  uint8_t entrance = 0;
};

// What the outbreak imposes on a person's day (sorted by person).
struct Special {
  enum Kind : uint8_t {
    kArrival,     // comes home from outside the city at `time` (rail station exit `venue`)
    kFeverVisit,  // goes to the fever clinic of hospital `venue` at `time`
    kPharmacy,    // buys fever/cough medicine at `time`; home the rest of the day
    kStayHome,    // feels ill: stays home all day
  };
  uint32_t person = 0;
  Kind kind = kStayHome;
  SimTime time = 0;
  uint32_t venue = kNone;
};

// A passenger's request for a seat on a coach departure.
struct SeatRequest {
  uint32_t person = 0;
  uint16_t route = 0;
  uint8_t direction = 0;  // 0: from → to, 1: back
  uint8_t slot = 0;       // index into the route's departures in that direction
};

struct Trip {
  uint64_t id = 0;  // unique over the whole run: day * 1,000,000 + ordinal
  uint16_t route = 0;
  uint8_t direction = 0;
  uint8_t slot = 0;
  uint16_t vehicle = 0;  // 0: the scheduled coach, 1…: extra coaches on the same departure
  SimTime departure = 0, arrival = 0;
  uint32_t first_seat = 0, seats = 0;  // range in the day's seats (crew first)
};

struct Seat {
  uint32_t trip = 0;  // index into the day's trips
  uint32_t person = 0;
  uint8_t row = 0;  // 0: crew (the driver); passengers 1–11
  uint8_t col = 0;  // 1–4
};
inline constexpr int kCoachRows = 11, kCoachCols = 4, kCoachSeats = kCoachRows * kCoachCols;

struct DayInput {
  const City* city = nullptr;
  DayInfo info;
  SimTime day_start = 0;                               // info.index * 86400
  const std::vector<SimTime>* removed_from = nullptr;  // isolation / quarantine start, per person
  const std::vector<SimTime>* present_from = nullptr;  // persons away until then (imported seeds)
  const std::vector<Special>* specials = nullptr;      // sorted by person
};

// Generates the stays of households [first, last) in person order, and their
// coach seat requests. Appends to `stays` and `requests`.
void generate_households(const DayInput& in, uint32_t first_household, uint32_t last_household,
                         std::vector<Stay>& stays, std::vector<SeatRequest>& requests);

// Turns the day's seat requests (in person order) into coach trips: one
// vehicle per scheduled departure, extra vehicles when it is full, seats
// drawn at random, a driver from the origin station's roster in row 0.
// Trip ids are day * 1,000,000 + ordinal.
void assign_trips(const City& city, const DayInfo& info, SimTime day_start, const std::vector<SeatRequest>& requests,
                  std::vector<Trip>& trips, std::vector<Seat>& seats);

// "晋K·A1234"-style plate of a trip's vehicle (deterministic per route,
// direction, slot and vehicle number).
std::string vehicle_plate(const City& city, const Trip& t);
// The route's name read in the direction of travel ("太谷—榆次" back is
// "榆次—太谷"), and the stations it leaves from and arrives at (venue indices).
std::string route_name(const City& city, const Trip& t);
uint32_t trip_from(const City& city, const Trip& t);
uint32_t trip_to(const City& city, const Trip& t);

}  // namespace epinet::sim
