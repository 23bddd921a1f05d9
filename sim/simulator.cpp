#include "sim/simulator.h"

#include <algorithm>
#include <thread>

namespace epinet::sim {

Simulator::Simulator(const Scenario& scenario, int64_t start_days, int threads)
    : city_(build_city(scenario, start_days)), outbreak_(city_), threads_(std::max(1, threads)) {
  // Split households so that each thread gets about the same number of persons.
  const uint32_t h = static_cast<uint32_t>(city_.households.size());
  const double per = static_cast<double>(city_.persons.size()) / threads_;
  chunk_.push_back(0);
  for (int t = 1; t < threads_; ++t) {
    uint32_t target = static_cast<uint32_t>(per * t);
    auto it = std::lower_bound(city_.households.begin(), city_.households.end(), target,
                               [](const Household& x, uint32_t p) { return x.first_person < p; });
    chunk_.push_back(std::max(chunk_.back(), static_cast<uint32_t>(it - city_.households.begin())));
  }
  chunk_.push_back(h);
  part_stays_.resize(static_cast<size_t>(threads_));
  part_requests_.resize(static_cast<size_t>(threads_));
}

std::vector<SignalRow> Simulator::history_signals() const {
  std::vector<SignalRow> out;
  for (int i = -city_.scenario.signal_history_days; i < 0; ++i)
    signal_rows(city_, day_info(city_.start_days, i), nullptr, out);
  return out;
}

void Simulator::step(DayOutput& out) {
  out.info = day_info(city_.start_days, next_);
  out.stays.clear();
  out.trips.clear();
  out.seats.clear();
  out.signals.clear();
  DayCounts counts;
  outbreak_.begin_day(out.info, specials_, out.tests, counts);

  DayInput in;
  in.city = &city_;
  in.info = out.info;
  in.day_start = next_ * 86400;
  in.removed_from = &outbreak_.removed_from();
  in.present_from = &outbreak_.present_from();
  in.specials = &specials_;
  // Removal intervals: a person whose isolation ended is about again. The
  // movement model reads only the start, so pass a view where ended
  // removals read as "never".
  removed_view_.resize(city_.persons.size());
  {
    const auto& from = outbreak_.removed_from();
    const auto& until = outbreak_.removed_until();
    for (size_t p = 0; p < from.size(); ++p) removed_view_[p] = until[p] <= in.day_start ? kNever : from[p];
  }
  in.removed_from = &removed_view_;

  requests_.clear();
  // About 3.1 stays a person a day: reserve once, so that the buffers never
  // grow by copying.
  const size_t expected = city_.persons.size() * 7 / 2;
  if (out.stays.capacity() < expected) out.stays.reserve(expected);
  if (threads_ == 1) {
    generate_households(in, chunk_[0], chunk_[1], out.stays, requests_);
  } else {
    std::vector<std::thread> workers;
    for (int t = 1; t < threads_; ++t) {
      workers.emplace_back([&, t] {
        auto& part = part_stays_[static_cast<size_t>(t)];
        part.clear();
        if (part.capacity() < expected / static_cast<size_t>(threads_))
          part.reserve(expected / static_cast<size_t>(threads_));
        part_requests_[static_cast<size_t>(t)].clear();
        generate_households(in, chunk_[static_cast<size_t>(t)], chunk_[static_cast<size_t>(t) + 1],
                            part_stays_[static_cast<size_t>(t)], part_requests_[static_cast<size_t>(t)]);
      });
    }
    generate_households(in, chunk_[0], chunk_[1], out.stays, requests_);
    for (auto& w : workers) w.join();
    for (int t = 1; t < threads_; ++t) {
      const auto& s = part_stays_[static_cast<size_t>(t)];
      out.stays.insert(out.stays.end(), s.begin(), s.end());
      const auto& q = part_requests_[static_cast<size_t>(t)];
      requests_.insert(requests_.end(), q.begin(), q.end());
    }
  }
  assign_trips(city_, out.info, in.day_start, requests_, out.trips, out.seats);
  outbreak_.transmit(out.info, out.stays, out.trips, out.seats, out.infections);
  signal_rows(city_, out.info, &counts, out.signals);
  cumulative_.push_back((cumulative_.empty() ? 0 : cumulative_.back()) + static_cast<int64_t>(out.infections.size()));
  ++next_;
}

}  // namespace epinet::sim
