// The health-code engine: a versioned rule table (config/health-code-rules.json,
// compiled in) mapping a person's state to green/yellow/red with reasons and
// the time the colour holds until. Pure.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "domain/healthcode/token.h"

namespace epinet::domain {

// What the engine knows of a person at `now`.
struct PersonState {
  std::string case_status = "none";    // none | suspected | confirmed | asymptomatic
  std::string manage_status = "none";  // none | close_contact | secondary_contact | companion |
                                       // centralized_quarantine | home_quarantine | home_monitoring
  std::optional<Millis> manage_until;
  bool travel_flag = false;
  std::optional<Millis> travel_flag_until;
  std::string latest_test_result = "none";  // none | pending | negative | positive
  std::optional<Millis> latest_test_sampled_at;
  std::optional<Millis> latest_negative_sampled_at;
  bool pooled_positive_pending = false;
  bool open_fever_handover = false;
  struct Override {
    CodeColor color;
    std::string reason;
    Millis until;
  };
  std::optional<Override> manual_override;  // audited where it is set
};

struct Reason {
  std::string code;
  std::string zh, en;
};

struct CodeDecision {
  CodeColor color = CodeColor::kGreen;
  std::vector<Reason> reasons;
  Millis valid_until = 0;
  std::string rule_set_version;
};

struct Rule {
  std::string id;
  // Conditions: each present one must hold.
  std::vector<std::string> case_status, manage_status, latest_test_result;
  std::optional<bool> travel_flag, pooled_positive_pending, open_fever_handover;
  std::optional<int> no_negative_test_within_hours;
  CodeColor color = CodeColor::kYellow;
  std::string until;  // open | manage_until | travel_flag_until
  std::string zh, en;
};

struct RuleSet {
  std::string version;
  int green_valid_hours = 24;
  std::vector<Rule> rules;
};

// Parses and validates a rule file; throws Error(kInvalid) naming the problem.
RuleSet parse_rule_set(const std::string& json_text);
// The compiled-in default rules.
const RuleSet& default_rule_set();
extern const char* const kHealthCodeRulesFile;

bool rule_matches(const Rule& r, const PersonState& s, Millis now);
CodeDecision evaluate(const RuleSet& rules, const PersonState& s, Millis now);

}  // namespace epinet::domain
