// Counter-based random streams for the simulator.
//
// Every random decision draws from a stream keyed by (seed, stream kind, a, b)
// — for example (seed, kPersonDay, person, day) — so that a decision does not
// depend on how many decisions were drawn before it, on which thread, or in
// which order persons were processed. That is what makes the output identical
// for any thread count. The generator is SplitMix64 (Steele, Lea, Flood 2014):
// a 64-bit counter advanced by the golden gamma and finalised by a bijective
// mix; fast (about a nanosecond a draw) and of ample quality for simulation.
#pragma once
#include <cmath>
#include <cstdint>

namespace epinet::sim {

// Stream kinds: one per kind of decision. Never reuse or renumber a value:
// it would change every output for a given seed.
enum class Stream : uint64_t {
  kCity = 1,              // districts' communities and compounds
  kHousehold = 2,         // (household): size, members' ages and sexes
  kPerson = 3,            // (person): occupation, habits, workplace
  kVenue = 4,             // (venue): name, hours, capacity, popularity
  kPersonDay = 5,         // (person, day): that person's day
  kHouseholdDay = 6,      // (household, day): joint outings
  kSeats = 7,             // (trip key, day): seat plan
  kHouseholdTx = 8,       // (infector, infectee | day)
  kVenueTx = 9,           // (infector stay, infectee stay | day)
  kTripTx = 10,           // (trip, infector, infectee)
  kNatural = 11,          // (person): natural history of an infection
  kSeeds = 12,            // seeding
  kFeverBackground = 13,  // (district, day): non-COVID fever-clinic visits
  kSignals = 14,          // (district, channel, day)
  kTests = 15,            // (person, test number)
  kNames = 16,            // (person): a name
  kAssign = 17,           // workplace and school assignment
  kSchedule = 18,         // (route): coach timetable
};

inline constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline constexpr uint64_t stream_key(uint64_t seed, Stream s, uint64_t a = 0, uint64_t b = 0) {
  uint64_t k = mix64(seed + 0x9e3779b97f4a7c15ULL * (static_cast<uint64_t>(s) + 1));
  k = mix64(k ^ (a + 0x632be59bd9b4e019ULL));
  k = mix64(k ^ (b + 0x85157af5a2b2fb11ULL));
  return k;
}

class Rng {
 public:
  explicit constexpr Rng(uint64_t key) : state_(key) {}
  Rng(uint64_t seed, Stream s, uint64_t a = 0, uint64_t b = 0) : state_(stream_key(seed, s, a, b)) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n) (Lemire's multiply-shift; n < 2^32).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * static_cast<uint64_t>(n)) >> 32); }
  // Uniform integer in [lo, hi].
  int range(int lo, int hi) { return lo + static_cast<int>(below(static_cast<uint32_t>(hi - lo + 1))); }
  bool chance(double p) { return uniform() < p; }
  // Standard normal (Box–Muller, one value per call).
  double normal() {
    double u = 1.0 - uniform();
    double v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }
  // Log-normal with the given mean and standard deviation (of the variable itself).
  double lognormal_mean_sd(double mean, double sd) {
    double s2 = std::log(1.0 + (sd * sd) / (mean * mean));
    double mu = std::log(mean) - s2 / 2;
    return std::exp(mu + std::sqrt(s2) * normal());
  }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  // Poisson: inversion for small means, a rounded normal beyond (the counts
  // this is used for are signals, where that is plenty).
  int64_t poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean < 30) {
      double l = std::exp(-mean), p = 1.0;
      int64_t k = 0;
      do {
        ++k;
        p *= uniform();
      } while (p > l);
      return k - 1;
    }
    double x = std::floor(normal(mean, std::sqrt(mean)) + 0.5);
    return x < 0 ? 0 : static_cast<int64_t>(x);
  }
  // Gamma(shape, scale) by Marsaglia–Tsang (shape >= 1; boosted below 1).
  double gamma(double shape, double scale) {
    if (shape < 1) return gamma(shape + 1, scale) * std::pow(uniform() + 1e-300, 1.0 / shape);
    double d = shape - 1.0 / 3, c = 1.0 / std::sqrt(9 * d);
    for (;;) {
      double x = normal(), v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = uniform();
      if (u < 1 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v * scale;
    }
  }
  // Negative binomial by its mean and dispersion k (variance mean + mean²/k):
  // a Poisson whose mean is Gamma-distributed — over-dispersed counts.
  int64_t neg_binomial(double mean, double k) {
    if (mean <= 0) return 0;
    return poisson(gamma(k, mean / k));
  }

 private:
  uint64_t state_;
};

}  // namespace epinet::sim
