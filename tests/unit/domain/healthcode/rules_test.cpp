#include "domain/healthcode/rules.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "../../test_support.h"
#include "core/error.h"

namespace epinet::domain {
namespace {

using epinet::testing::Contains;
using epinet::testing::error_message;

constexpr Millis kHour = 3600LL * 1000;
constexpr Millis kDay = 24 * kHour;
constexpr Millis kNow = 1'795'000'000'000LL;  // 2026-11-18

std::vector<std::string> codes(const CodeDecision& d) {
  std::vector<std::string> out;
  for (const auto& r : d.reasons) out.push_back(r.code);
  return out;
}

std::string describe(const CodeDecision& d) {
  std::string s = std::string(color_name(d.color)) + " [";
  for (const auto& c : codes(d)) s += c + " ";
  return s + "] until " + std::to_string(d.valid_until - kNow) + " ms after now";
}

CodeDecision eval(const PersonState& s) { return evaluate(default_rule_set(), s, kNow); }

// --- the default rule file, row by row ---------------------------------------

TEST(DefaultRules, CompiledInFileIsTheCheckedInFile) {
  const auto file = std::filesystem::path(EPINET_TEST_SOURCE_DIR) / "config/health-code-rules.json";
  std::ifstream in(file);
  ASSERT_TRUE(in) << file;
  std::stringstream ss;
  ss << in.rdbuf();
  RuleSet on_disk = parse_rule_set(ss.str());
  const RuleSet& compiled = default_rule_set();
  EXPECT_EQ(compiled.version, on_disk.version);
  EXPECT_FALSE(compiled.version.empty());
  EXPECT_EQ(compiled.green_valid_hours, 24);
  ASSERT_EQ(compiled.rules.size(), on_disk.rules.size());
  for (size_t i = 0; i < compiled.rules.size(); ++i) EXPECT_EQ(compiled.rules[i].id, on_disk.rules[i].id);
  for (const auto& r : compiled.rules) {
    EXPECT_FALSE(r.zh.empty()) << r.id;
    EXPECT_FALSE(r.en.empty()) << r.id;
  }
}

TEST(DefaultRules, NothingKnownIsGreenForTheGreenValidity) {
  auto d = eval(PersonState{});
  EXPECT_EQ(d.color, CodeColor::kGreen);
  EXPECT_EQ(codes(d), std::vector<std::string>{"no_risk"});
  EXPECT_FALSE(d.reasons[0].zh.empty());
  EXPECT_FALSE(d.reasons[0].en.empty());
  EXPECT_EQ(d.valid_until, kNow + 24 * kHour);
  EXPECT_EQ(d.rule_set_version, default_rule_set().version);
}

TEST(DefaultRules, EveryCaseStatusIsRed) {
  for (const char* status : {"confirmed", "suspected", "asymptomatic"}) {
    PersonState s;
    s.case_status = status;
    auto d = eval(s);
    EXPECT_EQ(d.color, CodeColor::kRed) << status;
    EXPECT_EQ(codes(d), std::vector<std::string>{"case"}) << status;
    EXPECT_GT(d.valid_until, kNow) << status;
  }
  PersonState none;
  none.case_status = "none";
  EXPECT_EQ(eval(none).color, CodeColor::kGreen);
}

TEST(DefaultRules, PositiveTestIsRed) {
  PersonState s;
  s.latest_test_result = "positive";
  s.latest_test_sampled_at = kNow - 2 * kHour;
  auto d = eval(s);
  EXPECT_EQ(d.color, CodeColor::kRed) << describe(d);
  EXPECT_EQ(codes(d), std::vector<std::string>{"test_positive"});
  EXPECT_GT(d.valid_until, kNow);
  for (const char* other : {"none", "pending", "negative"}) {
    s.latest_test_result = other;
    EXPECT_EQ(eval(s).color, CodeColor::kGreen) << other;
  }
}

TEST(DefaultRules, CloseContactAndCentralizedQuarantineAreRedUntilManagementEnds) {
  for (const char* status : {"close_contact", "centralized_quarantine"}) {
    PersonState s;
    s.manage_status = status;
    s.manage_until = kNow + 5 * kDay;
    auto d = eval(s);
    EXPECT_EQ(d.color, CodeColor::kRed) << status;
    EXPECT_EQ(codes(d), std::vector<std::string>{"centralized_quarantine"}) << status;
    EXPECT_EQ(d.valid_until, kNow + 5 * kDay) << status;
  }
}

TEST(DefaultRules, YellowManagementStatuses) {
  const std::pair<const char*, const char*> rows[] = {
      {"secondary_contact", "home_quarantine"},
      {"home_quarantine", "home_quarantine"},
      {"companion", "companion"},
      {"home_monitoring", "home_monitoring"},
  };
  for (const auto& [status, reason] : rows) {
    PersonState s;
    s.manage_status = status;
    s.manage_until = kNow + 3 * kDay;
    auto d = eval(s);
    EXPECT_EQ(d.color, CodeColor::kYellow) << status << ": " << describe(d);
    EXPECT_EQ(codes(d), std::vector<std::string>{reason}) << status;
    EXPECT_EQ(d.valid_until, kNow + 3 * kDay) << status;
  }
}

TEST(DefaultRules, ManagementThatHasEndedNoLongerColours) {
  for (const char* status : {"close_contact", "centralized_quarantine", "secondary_contact", "home_quarantine",
                             "companion", "home_monitoring"}) {
    PersonState s;
    s.manage_status = status;
    s.manage_until = kNow - 1;
    auto d = eval(s);
    EXPECT_EQ(d.color, CodeColor::kGreen) << status << ": " << describe(d);
    EXPECT_EQ(codes(d), std::vector<std::string>{"no_risk"});
    s.manage_until = kNow;  // ends now
    EXPECT_EQ(eval(s).color, CodeColor::kGreen) << status;
    s.manage_until = kNow + 1;
    EXPECT_NE(eval(s).color, CodeColor::kGreen) << status;
  }
}

TEST(DefaultRules, UnknownManagementStatusIsNotAColour) {
  PersonState s;
  s.manage_status = "released";
  s.manage_until = kNow + kDay;
  EXPECT_EQ(eval(s).color, CodeColor::kGreen);
}

TEST(DefaultRules, PooledPositivePendingIsYellow) {
  PersonState s;
  s.pooled_positive_pending = true;
  auto d = eval(s);
  EXPECT_EQ(d.color, CodeColor::kYellow);
  EXPECT_EQ(codes(d), std::vector<std::string>{"pooled_positive"});
  EXPECT_GT(d.valid_until, kNow);
}

TEST(DefaultRules, OpenFeverHandoverIsYellow) {
  PersonState s;
  s.open_fever_handover = true;
  auto d = eval(s);
  EXPECT_EQ(d.color, CodeColor::kYellow);
  EXPECT_EQ(codes(d), std::vector<std::string>{"fever_pending"});
}

TEST(DefaultRules, TravelFlagWithoutRecentNegativeIsYellowUntilTheFlagEnds) {
  PersonState s;
  s.travel_flag = true;
  s.travel_flag_until = kNow + 4 * kDay;
  auto d = eval(s);
  EXPECT_EQ(d.color, CodeColor::kYellow);
  EXPECT_EQ(codes(d), std::vector<std::string>{"travel_risk_area"});
  EXPECT_EQ(d.valid_until, kNow + 4 * kDay);

  // A negative test sampled more than 48 h ago does not count.
  s.latest_test_result = "negative";
  s.latest_negative_sampled_at = kNow - 48 * kHour - 60'000;
  s.latest_test_sampled_at = s.latest_negative_sampled_at;
  EXPECT_EQ(eval(s).color, CodeColor::kYellow);
}

TEST(DefaultRules, TravelFlagWithNegativeWithin48HoursIsGreen) {
  for (Millis age : {Millis{0}, 2 * kHour, 47 * kHour, 48 * kHour - 60'000}) {
    PersonState s;
    s.travel_flag = true;
    s.travel_flag_until = kNow + 4 * kDay;
    s.latest_test_result = "negative";
    s.latest_negative_sampled_at = kNow - age;
    s.latest_test_sampled_at = kNow - age;
    auto d = eval(s);
    EXPECT_EQ(d.color, CodeColor::kGreen) << "negative " << age / kHour << " h ago: " << describe(d);
    EXPECT_EQ(codes(d), std::vector<std::string>{"no_risk"});
  }
}

TEST(DefaultRules, GreenFromARecentNegativeHoldsOnlyWhileTheTestCounts) {
  // Flagged for travel, negative sampled 47 h ago: green now, but the test
  // stops counting in 1 h and the code must turn yellow then. A green that
  // says it holds for 24 h would let the person through for 23 h too long.
  PersonState s;
  s.travel_flag = true;
  s.travel_flag_until = kNow + 4 * kDay;
  s.latest_test_result = "negative";
  s.latest_negative_sampled_at = kNow - 47 * kHour;
  s.latest_test_sampled_at = s.latest_negative_sampled_at;
  auto d = eval(s);
  ASSERT_EQ(d.color, CodeColor::kGreen);
  EXPECT_LE(d.valid_until, kNow + kHour) << describe(d);
  EXPECT_GT(d.valid_until, kNow);
  // One hour and a minute later the same person is yellow.
  EXPECT_EQ(evaluate(default_rule_set(), s, kNow + kHour + 60'000).color, CodeColor::kYellow);
}

TEST(DefaultRules, TravelFlagThatHasEndedIsGreen) {
  PersonState s;
  s.travel_flag = true;
  s.travel_flag_until = kNow - 1;
  EXPECT_EQ(eval(s).color, CodeColor::kGreen);
  s.travel_flag = false;
  s.travel_flag_until = kNow + kDay;
  EXPECT_EQ(eval(s).color, CodeColor::kGreen);
}

// --- combining rules -----------------------------------------------------------

TEST(Evaluate, SeveralMatchesTakeTheMostSevereColourAndListEveryReason) {
  PersonState s;
  s.open_fever_handover = true;       // yellow
  s.pooled_positive_pending = true;   // yellow
  s.latest_test_result = "positive";  // red
  auto d = eval(s);
  EXPECT_EQ(d.color, CodeColor::kRed);
  auto c = codes(d);
  ASSERT_EQ(c.size(), 3u) << describe(d);
  EXPECT_EQ(c[0], "test_positive");
  EXPECT_EQ(std::vector<std::string>(c.begin() + 1, c.end()),
            (std::vector<std::string>{"pooled_positive", "fever_pending"}));
}

TEST(Evaluate, OnlyYellowMatchesGiveYellow) {
  PersonState s;
  s.manage_status = "companion";
  s.manage_until = kNow + 3 * kDay;
  s.pooled_positive_pending = true;
  auto d = eval(s);
  EXPECT_EQ(d.color, CodeColor::kYellow);
  EXPECT_EQ(codes(d), (std::vector<std::string>{"companion", "pooled_positive"}));
}

TEST(Evaluate, RedReasonsComeFirstWhateverTheFileOrder) {
  // A file that lists a yellow rule before a red one.
  RuleSet rs = parse_rule_set(R"({"version": "t1", "rules": [
    {"id": "fever", "when": {"open_fever_handover": true}, "color": "yellow", "until": "open", "zh": "发热", "en": "fever"},
    {"id": "pool", "when": {"pooled_positive_pending": true}, "color": "yellow", "until": "open", "zh": "混采", "en": "pool"},
    {"id": "pos", "when": {"latest_test_result": ["positive"]}, "color": "red", "until": "open", "zh": "阳性", "en": "positive"}
  ]})");
  PersonState s;
  s.open_fever_handover = true;
  s.pooled_positive_pending = true;
  s.latest_test_result = "positive";
  auto d = evaluate(rs, s, kNow);
  EXPECT_EQ(d.color, CodeColor::kRed);
  EXPECT_EQ(codes(d), (std::vector<std::string>{"pos", "fever", "pool"})) << "red first, then file order";
  EXPECT_EQ(d.reasons[0].zh, "阳性");
  EXPECT_EQ(d.reasons[0].en, "positive");
}

TEST(Evaluate, ValidUntilIsTheEarliestUntilOfTheMatchedRules) {
  PersonState s;
  s.manage_status = "close_contact";
  s.manage_until = kNow + 5 * kDay;
  s.travel_flag = true;
  s.travel_flag_until = kNow + 2 * kDay;
  auto d = eval(s);
  EXPECT_EQ(d.color, CodeColor::kRed);
  EXPECT_EQ(codes(d), (std::vector<std::string>{"centralized_quarantine", "travel_risk_area"}));
  EXPECT_EQ(d.valid_until, kNow + 2 * kDay) << "the colour is re-derived when the first reason ends";

  s.travel_flag_until = kNow + 9 * kDay;
  EXPECT_EQ(eval(s).valid_until, kNow + 5 * kDay);
}

TEST(Evaluate, OpenEndedRuleDoesNotOutlastABoundedOne) {
  PersonState s;
  s.case_status = "confirmed";  // open
  s.manage_status = "centralized_quarantine";
  s.manage_until = kNow + 3 * kHour;
  auto d = eval(s);
  EXPECT_EQ(d.color, CodeColor::kRed);
  EXPECT_EQ(d.valid_until, kNow + 3 * kHour);
}

TEST(Evaluate, ActiveManualOverrideWinsAndSaysSo) {
  PersonState s;
  s.case_status = "confirmed";
  s.manual_override = PersonState::Override{CodeColor::kGreen, "复核为误报", kNow + 6 * kHour};
  auto d = eval(s);
  EXPECT_EQ(d.color, CodeColor::kGreen);
  ASSERT_EQ(d.reasons.size(), 1u) << describe(d);
  EXPECT_EQ(d.reasons[0].code, "manual_override");
  EXPECT_TRUE(Contains(d.reasons[0].zh, "复核为误报"));
  EXPECT_TRUE(Contains(d.reasons[0].en, "复核为误报"));
  EXPECT_EQ(d.valid_until, kNow + 6 * kHour);
  EXPECT_EQ(d.rule_set_version, default_rule_set().version);

  // An override can also make someone red.
  PersonState healthy;
  healthy.manual_override = PersonState::Override{CodeColor::kRed, "流调要求", kNow + kHour};
  EXPECT_EQ(eval(healthy).color, CodeColor::kRed);
}

TEST(Evaluate, ExpiredManualOverrideIsIgnored) {
  PersonState s;
  s.case_status = "confirmed";
  for (Millis until : {kNow - kDay, kNow - 1, kNow}) {
    s.manual_override = PersonState::Override{CodeColor::kGreen, "old", until};
    auto d = eval(s);
    EXPECT_EQ(d.color, CodeColor::kRed) << until - kNow;
    EXPECT_EQ(codes(d), std::vector<std::string>{"case"});
  }
}

TEST(Evaluate, RuleSetVersionAndGreenHoursComeFromTheRuleSet) {
  RuleSet rs = parse_rule_set(R"({"version": "city-2026-12", "green_valid_hours": 6, "rules": [
    {"id": "pos", "when": {"latest_test_result": ["positive"]}, "color": "red", "until": "open", "zh": "阳性", "en": "positive"}
  ]})");
  EXPECT_EQ(rs.green_valid_hours, 6);
  auto green = evaluate(rs, PersonState{}, kNow);
  EXPECT_EQ(green.rule_set_version, "city-2026-12");
  EXPECT_EQ(green.valid_until, kNow + 6 * kHour);
  PersonState s;
  s.latest_test_result = "positive";
  EXPECT_EQ(evaluate(rs, s, kNow).rule_set_version, "city-2026-12");
}

TEST(Evaluate, ConditionsOfOneRuleMustAllHold) {
  RuleSet rs = parse_rule_set(R"({"version": "t", "rules": [
    {"id": "both", "when": {"manage_status": ["home_monitoring"], "open_fever_handover": true}, "color": "red",
     "until": "manage_until", "zh": "两者", "en": "both"}
  ]})");
  PersonState s;
  s.manage_status = "home_monitoring";
  s.manage_until = kNow + kDay;
  EXPECT_EQ(evaluate(rs, s, kNow).color, CodeColor::kGreen);
  s.open_fever_handover = true;
  EXPECT_EQ(evaluate(rs, s, kNow).color, CodeColor::kRed);
  s.manage_status = "none";
  EXPECT_EQ(evaluate(rs, s, kNow).color, CodeColor::kGreen);
}

// --- parse_rule_set rejects bad files ------------------------------------------

std::string with_rule(const std::string& rule, const std::string& top = R"("version": "t")") {
  return "{" + top + R"(, "rules": [)" + rule + "]}";
}
const std::string kGoodRule =
    R"({"id": "r", "when": {"case_status": ["confirmed"]}, "color": "red", "until": "open", "zh": "病例", "en": "case"})";

TEST(ParseRuleSet, AcceptsAMinimalFile) {
  RuleSet rs = parse_rule_set(with_rule(kGoodRule));
  EXPECT_EQ(rs.version, "t");
  ASSERT_EQ(rs.rules.size(), 1u);
  EXPECT_EQ(rs.rules[0].id, "r");
  EXPECT_EQ(rs.rules[0].color, CodeColor::kRed);
  EXPECT_EQ(rs.rules[0].case_status, std::vector<std::string>{"confirmed"});
}

TEST(ParseRuleSet, RejectsWhatIsNotAJsonObject) {
  for (const char* text : {"", "not json", "{", "[]", "\"rules\"", "42", "{\"version\": \"t\", \"rules\": [}"})
    error_message([&] { parse_rule_set(text); });
}

TEST(ParseRuleSet, RejectsAMissingOrNonStringVersion) {
  EXPECT_TRUE(Contains(error_message([&] { parse_rule_set(R"({"rules": []})"); }), "version"));
  error_message([&] { parse_rule_set(R"({"version": 3, "rules": []})"); });
}

TEST(ParseRuleSet, RejectsAMissingRulesList) {
  error_message([&] { parse_rule_set(R"({"version": "t"})"); });
  error_message([&] { parse_rule_set(R"({"version": "t", "rules": {}})"); });
  error_message([&] { parse_rule_set(R"({"version": "t", "rules": ["case"]})"); });
}

TEST(ParseRuleSet, RejectsAnUnknownConditionNamingIt) {
  std::string rule = R"({"id": "r", "when": {"age_over": 60}, "color": "red", "until": "open", "zh": "x", "en": "x"})";
  EXPECT_TRUE(Contains(error_message([&] { parse_rule_set(with_rule(rule)); }), "age_over"));
  // A misspelt condition must not silently become "always".
  rule =
      R"({"id": "r", "when": {"case_statuses": ["confirmed"]}, "color": "red", "until": "open", "zh": "x", "en": "x"})";
  EXPECT_TRUE(Contains(error_message([&] { parse_rule_set(with_rule(rule)); }), "case_statuses"));
}

TEST(ParseRuleSet, RejectsAnUnknownRuleFieldNamingIt) {
  std::string rule =
      R"({"id": "r", "when": {"case_status": ["confirmed"]}, "colour": "red", "color": "red", "until": "open", "zh": "x", "en": "x"})";
  EXPECT_TRUE(Contains(error_message([&] { parse_rule_set(with_rule(rule)); }), "colour"));
}

TEST(ParseRuleSet, RejectsAnEmptyWhenThatWouldMatchEveryone) {
  std::string rule = R"({"id": "r", "when": {}, "color": "red", "until": "open", "zh": "x", "en": "x"})";
  EXPECT_TRUE(Contains(error_message([&] { parse_rule_set(with_rule(rule)); }), "matches everyone"));
}

TEST(ParseRuleSet, RejectsAMisspeltConditionValue) {
  std::string rule = R"({"id": "r", "when": {"case_status": ["confirmd"]}, "color": "red", "until": "open", "zh": "x", "en": "x"})";
  EXPECT_TRUE(Contains(error_message([&] { parse_rule_set(with_rule(rule)); }), "confirmd"));
}

TEST(ParseRuleSet, RejectsGreenOrUnknownColour) {
  for (const char* color : {"green", "blue", "Red", ""}) {
    std::string rule =
        std::string(R"({"id": "r", "when": {}, "color": ")") + color + R"(", "until": "open", "zh": "x", "en": "x"})";
    error_message([&] { parse_rule_set(with_rule(rule)); });
  }
}

TEST(ParseRuleSet, RejectsABadUntil) {
  for (const char* until : {"forever", "", "manage"}) {
    std::string rule =
        std::string(R"({"id": "r", "when": {}, "color": "red", "until": ")") + until + R"(", "zh": "x", "en": "x"})";
    error_message([&] { parse_rule_set(with_rule(rule)); });
  }
  error_message([&] { parse_rule_set(with_rule(R"({"id": "r", "when": {}, "color": "red", "zh": "x", "en": "x"})")); });
}

TEST(ParseRuleSet, RejectsARuleWithoutIdOrTexts) {
  for (const char* rule : {R"({"when": {}, "color": "red", "until": "open", "zh": "x", "en": "x"})",
                           R"({"id": "r", "when": {}, "color": "red", "until": "open", "en": "x"})",
                           R"({"id": "r", "when": {}, "color": "red", "until": "open", "zh": "x"})"})
    error_message([&] { parse_rule_set(with_rule(rule)); });
}

TEST(ParseRuleSet, RejectsConditionsOfTheWrongType) {
  for (const char* when : {R"({"case_status": "confirmed"})", R"({"case_status": [1]})", R"({"travel_flag": "yes"})",
                           R"({"pooled_positive_pending": 1})"}) {
    std::string rule =
        std::string(R"({"id": "r", "when": )") + when + R"(, "color": "red", "until": "open", "zh": "x", "en": "x"})";
    error_message([&] { parse_rule_set(with_rule(rule)); });
  }
}

TEST(ParseRuleSet, RejectsNonPositiveNegativeTestHours) {
  for (const char* hours : {"0", "-48", "1.5", "\"48\""}) {
    std::string rule = std::string(R"({"id": "r", "when": {"no_negative_test_within_hours": )") + hours +
                       R"(}, "color": "yellow", "until": "open", "zh": "x", "en": "x"})";
    EXPECT_TRUE(Contains(error_message([&] { parse_rule_set(with_rule(rule)); }), "no_negative_test_within_hours"))
        << hours;
  }
}

TEST(ParseRuleSet, RejectsNonPositiveGreenValidHours) {
  // A green code valid for 0 hours (or less) would expire as it is issued.
  for (const char* hours : {"0", "-24"}) {
    std::string top = std::string(R"("version": "t", "green_valid_hours": )") + hours;
    EXPECT_TRUE(Contains(error_message([&] { parse_rule_set(with_rule(kGoodRule, top)); }), "green_valid_hours"))
        << hours;
  }
}

TEST(ParseRuleSet, RejectsANonNumericGreenValidHoursAsInvalidInput) {
  // Must be an epinet::Error(kInvalid) like every other problem in the file,
  // not a boost exception that escapes as an internal error.
  for (const char* hours : {"\"24\"", "true", "null"}) {
    std::string top = std::string(R"("version": "t", "green_valid_hours": )") + hours;
    error_message([&] { parse_rule_set(with_rule(kGoodRule, top)); });
  }
}

}  // namespace
}  // namespace epinet::domain
