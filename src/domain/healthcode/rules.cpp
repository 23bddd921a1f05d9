#include "domain/healthcode/rules.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/error.h"

namespace epinet::domain {
namespace json = boost::json;

namespace {

constexpr Millis kOpenEnded = 7LL * 24 * 3600 * 1000;  // "open": re-evaluated at least weekly

const std::vector<std::string> kCaseStatuses = {"none", "suspected", "confirmed", "asymptomatic"};
const std::vector<std::string> kManageStatuses = {"none", "close_contact", "secondary_contact", "companion",
                                                  "centralized_quarantine", "home_quarantine", "home_monitoring"};
const std::vector<std::string> kTestResults = {"none", "pending", "negative", "positive"};

// A non-empty list of known values: a misspelt value would silently never match.
std::vector<std::string> strings(const json::value& v, const std::string& where, const std::vector<std::string>& known) {
  if (!v.is_array() || v.as_array().empty()) throw invalid("invalid_rules", where + " must be a non-empty list of strings");
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) {
    if (!s.is_string()) throw invalid("invalid_rules", where + " must be a list of strings");
    std::string x(s.as_string());
    if (std::find(known.begin(), known.end(), x) == known.end()) throw invalid("invalid_rules", where + ": unknown value '" + x + "'");
    out.push_back(std::move(x));
  }
  return out;
}

bool boolean(const json::value& v, const std::string& where) {
  if (!v.is_bool()) throw invalid("invalid_rules", where + " must be true or false");
  return v.as_bool();
}

bool in(const std::vector<std::string>& set, const std::string& x) {
  return std::find(set.begin(), set.end(), x) != set.end();
}

}  // namespace

RuleSet parse_rule_set(const std::string& text) {
  json::error_code ec;
  auto doc = json::parse(text, ec);
  if (ec || !doc.is_object()) throw invalid("invalid_rules", "the rule file is not a JSON object");
  const auto& o = doc.as_object();
  RuleSet rs;
  if (!o.contains("version") || !o.at("version").is_string()) throw invalid("invalid_rules", "the rule file needs a version");
  rs.version = std::string(o.at("version").as_string());
  if (auto g = o.if_contains("green_valid_hours")) {
    if (!g->is_int64() || g->as_int64() <= 0 || g->as_int64() > 24 * 30)
      throw invalid("invalid_rules", "green_valid_hours must be a whole number of hours from 1 to 720");
    rs.green_valid_hours = static_cast<int>(g->as_int64());
  }
  if (!o.contains("rules") || !o.at("rules").is_array()) throw invalid("invalid_rules", "the rule file needs a rules list");
  for (const auto& rv : o.at("rules").as_array()) {
    if (!rv.is_object()) throw invalid("invalid_rules", "each rule is an object");
    const auto& ro = rv.as_object();
    Rule r;
    for (const auto& kv : ro) {
      std::string k(kv.key());
      const auto& v = kv.value();
      if (k == "id" || k == "color" || k == "until" || k == "zh" || k == "en") {
        if (!v.is_string()) throw invalid("invalid_rules", "rule field " + k + " must be a string");
        std::string s(v.as_string());
        if (k == "id") r.id = s;
        if (k == "until") r.until = s;
        if (k == "zh") r.zh = s;
        if (k == "en") r.en = s;
        if (k == "color") {
          auto c = parse_color(s);
          if (!c || *c == CodeColor::kGreen) throw invalid("invalid_rules", "a rule's color is yellow or red");
          r.color = *c;
        }
      } else if (k == "when") {
        if (!v.is_object() || v.as_object().empty())
          throw invalid("invalid_rules", "rule " + r.id + ": when must name at least one condition (an empty one matches everyone)");
        for (const auto& c : v.as_object()) {
          std::string ck(c.key());
          std::string where = "rule " + r.id + " when." + ck;
          if (ck == "case_status") r.case_status = strings(c.value(), where, kCaseStatuses);
          else if (ck == "manage_status") r.manage_status = strings(c.value(), where, kManageStatuses);
          else if (ck == "latest_test_result") r.latest_test_result = strings(c.value(), where, kTestResults);
          else if (ck == "travel_flag") r.travel_flag = boolean(c.value(), where);
          else if (ck == "pooled_positive_pending") r.pooled_positive_pending = boolean(c.value(), where);
          else if (ck == "open_fever_handover") r.open_fever_handover = boolean(c.value(), where);
          else if (ck == "no_negative_test_within_hours") {
            if (!c.value().is_int64() || c.value().as_int64() <= 0) throw invalid("invalid_rules", where + " must be a positive whole number");
            r.no_negative_test_within_hours = static_cast<int>(c.value().as_int64());
          } else {
            throw invalid("invalid_rules", "unknown condition " + where);
          }
        }
      } else {
        throw invalid("invalid_rules", "unknown rule field " + k);
      }
    }
    if (r.id.empty() || r.zh.empty() || r.en.empty()) throw invalid("invalid_rules", "every rule needs id, zh and en");
    if (r.until != "open" && r.until != "manage_until" && r.until != "travel_flag_until")
      throw invalid("invalid_rules", "rule " + r.id + ": until is open, manage_until or travel_flag_until");
    rs.rules.push_back(std::move(r));
  }
  return rs;
}

const RuleSet& default_rule_set() {
  static const RuleSet rs = parse_rule_set(kHealthCodeRulesFile);
  return rs;
}

bool rule_matches(const Rule& r, const PersonState& s, Millis now) {
  if (!r.case_status.empty() && !in(r.case_status, s.case_status)) return false;
  if (!r.latest_test_result.empty() && !in(r.latest_test_result, s.latest_test_result)) return false;
  if (!r.manage_status.empty()) {
    if (!in(r.manage_status, s.manage_status)) return false;
    if (s.manage_until && *s.manage_until <= now) return false;  // the period has ended
  }
  if (r.travel_flag) {
    bool active = s.travel_flag && (!s.travel_flag_until || *s.travel_flag_until > now);
    if (active != *r.travel_flag) return false;
  }
  if (r.pooled_positive_pending && *r.pooled_positive_pending != s.pooled_positive_pending) return false;
  if (r.open_fever_handover && *r.open_fever_handover != s.open_fever_handover) return false;
  if (r.no_negative_test_within_hours) {
    Millis window = static_cast<Millis>(*r.no_negative_test_within_hours) * 3600 * 1000;
    if (s.latest_negative_sampled_at && now - *s.latest_negative_sampled_at <= window) return false;
  }
  return true;
}

CodeDecision evaluate(const RuleSet& rules, const PersonState& s, Millis now) {
  CodeDecision d;
  d.rule_set_version = rules.version;
  if (s.manual_override && s.manual_override->until > now) {
    d.color = s.manual_override->color;
    d.reasons.push_back({"manual_override", "人工调整：" + s.manual_override->reason,
                         "Manual override: " + s.manual_override->reason});
    d.valid_until = s.manual_override->until;
    return d;
  }
  Millis until = now + kOpenEnded;
  bool any = false;
  for (const auto& r : rules.rules) {
    if (!rule_matches(r, s, now)) continue;
    any = true;
    if (static_cast<int>(r.color) > static_cast<int>(d.color)) d.color = r.color;
    d.reasons.push_back({r.id, r.zh, r.en});
    Millis u = now + kOpenEnded;
    if (r.until == "manage_until" && s.manage_until) u = *s.manage_until;
    if (r.until == "travel_flag_until" && s.travel_flag_until) u = *s.travel_flag_until;
    until = std::min(until, u);
  }
  // A rule held off only by a recent negative test applies again when that
  // test stops counting: the colour holds at most until then.
  if (s.latest_negative_sampled_at) {
    PersonState without = s;
    without.latest_negative_sampled_at.reset();
    for (const auto& r : rules.rules)
      if (r.no_negative_test_within_hours && !rule_matches(r, s, now) && rule_matches(r, without, now))
        until = std::min(until, *s.latest_negative_sampled_at + static_cast<Millis>(*r.no_negative_test_within_hours) * 3600 * 1000);
  }
  if (!any) {
    d.reasons.push_back({"no_risk", "未发现风险", "No risk found"});
    d.valid_until = std::min(until, now + static_cast<Millis>(rules.green_valid_hours) * 3600 * 1000);
    return d;
  }
  // Reasons most severe first, in file order within a colour.
  std::stable_sort(d.reasons.begin(), d.reasons.end(), [&](const Reason& a, const Reason& b) {
    auto sev = [&](const Reason& x) {
      for (const auto& r : rules.rules)
        if (r.id == x.code) return static_cast<int>(r.color);
      return 0;
    };
    return sev(a) > sev(b);
  });
  d.valid_until = until;
  return d;
}

}  // namespace epinet::domain
