// The checkpoint decision: pass or stop, and why. Pure.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "domain/healthcode/rules.h"
#include "domain/healthcode/token.h"

namespace epinet::domain {

struct VenuePolicy {
  bool stop_on_yellow = true;
  bool stop_on_travel_flag = true;
  double fever_threshold_c = 37.3;
};

struct ScanFacts {
  std::string direction = "in";            // in | out
  TokenProblem token_problem = TokenProblem::kNone;
  bool person_known = false;               // the code or the ID card named a registered person
  CodeColor color = CodeColor::kGreen;     // the person's current colour
  std::vector<Reason> code_reasons;        // why, from the health-code engine
  bool travel_flag = false;                // stayed in a risk area without a valid negative test
  std::optional<double> temperature_c;
  bool mask = true;
};

struct ScanReason {
  std::string code, zh, en;
};

struct ScanDecision {
  bool pass = true;
  std::vector<ScanReason> reasons;  // stops first
  bool open_fever_handover = false;
};

// Entry: stop on an untrusted code, red, yellow (per policy), a travel flag
// (per policy), fever, or no mask. Exit: never stopped (nobody is kept in),
// but the reasons are still recorded.
ScanDecision decide(const ScanFacts& facts, const VenuePolicy& policy);

// Temperatures a thermometer at a door can read; others are input errors.
constexpr double kMinTemperatureC = 34.0, kMaxTemperatureC = 43.0;

}  // namespace epinet::domain
