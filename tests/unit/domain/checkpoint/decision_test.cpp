#include "domain/checkpoint/decision.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace epinet::domain {
namespace {

// A registered person with a green code, a normal temperature and a mask.
ScanFacts healthy() {
  ScanFacts f;
  f.direction = "in";
  f.person_known = true;
  f.color = CodeColor::kGreen;
  f.code_reasons = {{"no_risk", "未发现风险", "No risk found"}};
  f.temperature_c = 36.5;
  f.mask = true;
  return f;
}

std::vector<std::string> codes(const ScanDecision& d) {
  std::vector<std::string> out;
  for (const auto& r : d.reasons) out.push_back(r.code);
  return out;
}

std::string describe(const ScanDecision& d) {
  std::string s = d.pass ? "pass [" : "stop [";
  for (const auto& c : codes(d)) s += c + " ";
  return s + "]" + (d.open_fever_handover ? " handover" : "");
}

bool has(const ScanDecision& d, const std::string& code) {
  auto c = codes(d);
  return std::find(c.begin(), c.end(), code) != c.end();
}

const std::set<std::string> kStopCodes = {
    "code_red",          "code_yellow",    "travel_flag",     "fever",
    "no_mask",           "person_unknown", "token_malformed", "token_unknown_version",
    "token_unknown_key", "token_forged",   "token_expired",   "token_not_yet_valid"};

TEST(CheckpointDecision, GreenNormalTemperatureAndMaskPasses) {
  auto d = decide(healthy(), VenuePolicy{});
  EXPECT_TRUE(d.pass) << describe(d);
  EXPECT_EQ(codes(d), std::vector<std::string>{"ok"});
  EXPECT_FALSE(d.reasons[0].zh.empty());
  EXPECT_FALSE(d.reasons[0].en.empty());
  EXPECT_FALSE(d.open_fever_handover);
}

TEST(CheckpointDecision, RedStopsAndShowsWhy) {
  auto f = healthy();
  f.color = CodeColor::kRed;
  f.code_reasons = {{"case", "确诊病例", "Confirmed case"}};
  for (bool stop_on_yellow : {true, false}) {
    VenuePolicy p;
    p.stop_on_yellow = stop_on_yellow;
    auto d = decide(f, p);
    EXPECT_FALSE(d.pass) << describe(d);
    ASSERT_FALSE(d.reasons.empty());
    EXPECT_EQ(d.reasons[0].code, "code_red");
    EXPECT_TRUE(has(d, "reason_case")) << "the health-code reason is shown: " << describe(d);
    EXPECT_FALSE(has(d, "ok"));
    EXPECT_FALSE(d.open_fever_handover);
  }
}

TEST(CheckpointDecision, YellowStopsOnlyWhereTheVenueSaysSo) {
  auto f = healthy();
  f.color = CodeColor::kYellow;
  f.code_reasons = {{"companion", "时空伴随者", "Companion"}};
  VenuePolicy strict;
  auto d = decide(f, strict);
  EXPECT_FALSE(d.pass) << describe(d);
  EXPECT_EQ(d.reasons[0].code, "code_yellow");

  VenuePolicy lenient;
  lenient.stop_on_yellow = false;
  d = decide(f, lenient);
  EXPECT_TRUE(d.pass) << describe(d);
  EXPECT_TRUE(has(d, "code_yellow")) << "the staff still see the yellow code: " << describe(d);
  EXPECT_TRUE(has(d, "reason_companion"));
}

TEST(CheckpointDecision, TravelFlagStopsOnlyPerPolicy) {
  auto f = healthy();
  f.travel_flag = true;
  auto d = decide(f, VenuePolicy{});
  EXPECT_FALSE(d.pass) << describe(d);
  EXPECT_EQ(codes(d), std::vector<std::string>{"travel_flag"});

  VenuePolicy p;
  p.stop_on_travel_flag = false;
  d = decide(f, p);
  EXPECT_TRUE(d.pass) << describe(d);
  EXPECT_TRUE(has(d, "travel_flag")) << "kept as a note";
}

TEST(CheckpointDecision, FeverAtThresholdStopsAndOpensAHandover) {
  for (double t : {37.3, 37.4, 38.0, 39.6}) {
    auto f = healthy();
    f.temperature_c = t;
    auto d = decide(f, VenuePolicy{});
    EXPECT_FALSE(d.pass) << t;
    EXPECT_EQ(codes(d), std::vector<std::string>{"fever"}) << t;
    EXPECT_TRUE(d.open_fever_handover) << t;
  }
  auto f = healthy();
  f.temperature_c = 37.3;
  auto d = decide(f, VenuePolicy{});
  EXPECT_NE(d.reasons[0].zh.find("37.3"), std::string::npos) << d.reasons[0].zh;
  EXPECT_NE(d.reasons[0].en.find("37.3"), std::string::npos) << d.reasons[0].en;
}

TEST(CheckpointDecision, JustBelowThresholdPasses) {
  for (double t : {37.2, 36.0, 35.1}) {
    auto f = healthy();
    f.temperature_c = t;
    auto d = decide(f, VenuePolicy{});
    EXPECT_TRUE(d.pass) << t;
    EXPECT_FALSE(d.open_fever_handover) << t;
  }
}

TEST(CheckpointDecision, VenueThresholdIsUsed) {
  VenuePolicy p;
  p.fever_threshold_c = 37.5;
  auto f = healthy();
  f.temperature_c = 37.3;
  EXPECT_TRUE(decide(f, p).pass);
  f.temperature_c = 37.5;
  EXPECT_FALSE(decide(f, p).pass);
}

TEST(CheckpointDecision, NoMaskStopsAtEntry) {
  auto f = healthy();
  f.mask = false;
  auto d = decide(f, VenuePolicy{});
  EXPECT_FALSE(d.pass);
  EXPECT_EQ(codes(d), std::vector<std::string>{"no_mask"});
  EXPECT_FALSE(d.open_fever_handover);
}

TEST(CheckpointDecision, EveryTokenProblemStopsWithItsCode) {
  for (auto p : {TokenProblem::kMalformed, TokenProblem::kUnknownVersion, TokenProblem::kUnknownKey,
                 TokenProblem::kBadSignature, TokenProblem::kExpired, TokenProblem::kNotYetValid}) {
    auto f = healthy();  // even a green colour is not trusted from a bad token
    f.token_problem = p;
    auto d = decide(f, VenuePolicy{});
    EXPECT_FALSE(d.pass) << token_problem_code(p);
    ASSERT_FALSE(d.reasons.empty());
    EXPECT_EQ(d.reasons[0].code, token_problem_code(p));
    EXPECT_EQ(d.reasons[0].code.rfind("token_", 0), 0u);
    EXPECT_FALSE(d.reasons[0].zh.empty()) << token_problem_code(p);
    EXPECT_FALSE(d.reasons[0].en.empty()) << token_problem_code(p);
    EXPECT_FALSE(has(d, "ok"));
  }
}

TEST(CheckpointDecision, UnknownPersonStops) {
  auto f = healthy();
  f.person_known = false;
  auto d = decide(f, VenuePolicy{});
  EXPECT_FALSE(d.pass);
  EXPECT_EQ(codes(d), std::vector<std::string>{"person_unknown"});
}

TEST(CheckpointDecision, AllStopReasonsAreListed) {
  auto f = healthy();
  f.color = CodeColor::kRed;
  f.travel_flag = true;
  f.temperature_c = 38.2;
  f.mask = false;
  auto d = decide(f, VenuePolicy{});
  EXPECT_FALSE(d.pass);
  for (const char* c : {"code_red", "travel_flag", "fever", "no_mask"})
    EXPECT_TRUE(has(d, c)) << c << ": " << describe(d);
  EXPECT_TRUE(d.open_fever_handover);
}

TEST(CheckpointDecision, StopReasonsComeBeforeNotes) {
  auto f = healthy();
  f.color = CodeColor::kYellow;
  f.code_reasons = {{"home_monitoring", "居家健康监测", "Home monitoring"}, {"pooled_positive", "混采阳性", "Pool"}};
  f.travel_flag = true;
  f.temperature_c = 37.8;
  f.mask = false;
  VenuePolicy p;
  p.stop_on_yellow = false;      // yellow becomes a note
  p.stop_on_travel_flag = true;  // the travel flag stops
  auto d = decide(f, p);
  EXPECT_FALSE(d.pass) << describe(d);
  auto c = codes(d);
  size_t last_stop = 0, first_note = c.size();
  for (size_t i = 0; i < c.size(); ++i) {
    bool stop = c[i] == "travel_flag" || c[i] == "fever" || c[i] == "no_mask";
    if (stop)
      last_stop = i;
    else
      first_note = std::min(first_note, i);
  }
  EXPECT_LT(last_stop, first_note) << describe(d);
  for (const char* code :
       {"travel_flag", "fever", "no_mask", "code_yellow", "reason_home_monitoring", "reason_pooled_positive"})
    EXPECT_TRUE(has(d, code)) << code << ": " << describe(d);
}

TEST(CheckpointDecision, ExitAlwaysPassesNeverOpensAHandoverButKeepsReasons) {
  auto f = healthy();
  f.direction = "out";
  f.color = CodeColor::kRed;
  f.code_reasons = {{"case", "确诊病例", "Confirmed case"}};
  f.travel_flag = true;
  f.temperature_c = 38.5;
  f.mask = false;
  auto d = decide(f, VenuePolicy{});
  EXPECT_TRUE(d.pass) << describe(d);
  EXPECT_FALSE(d.open_fever_handover);
  for (const char* c : {"code_red", "reason_case", "travel_flag", "fever"})
    EXPECT_TRUE(has(d, c)) << c << ": " << describe(d);

  for (auto p : {TokenProblem::kExpired, TokenProblem::kBadSignature}) {
    auto g = healthy();
    g.direction = "out";
    g.token_problem = p;
    auto e = decide(g, VenuePolicy{});
    EXPECT_TRUE(e.pass);
    EXPECT_TRUE(has(e, std::string(token_problem_code(p))));
  }
  auto g = healthy();
  g.direction = "out";
  g.person_known = false;
  EXPECT_TRUE(decide(g, VenuePolicy{}).pass);
}

TEST(CheckpointDecision, NoRiskReasonIsNotShownAsANote) {
  auto d = decide(healthy(), VenuePolicy{});
  EXPECT_FALSE(has(d, "reason_no_risk"));
}

TEST(CheckpointDecision, PassingDecisionsNeverCarryAStopCode) {
  // A sweep over the facts: pass <=> no stop code among the reasons (entry).
  for (int color = 0; color <= 2; ++color)
    for (bool travel : {false, true})
      for (bool mask : {false, true})
        for (double t : {36.6, 37.3})
          for (bool yellow_stops : {false, true}) {
            auto f = healthy();
            f.color = static_cast<CodeColor>(color);
            f.travel_flag = travel;
            f.mask = mask;
            f.temperature_c = t;
            VenuePolicy p;
            p.stop_on_yellow = yellow_stops;
            auto d = decide(f, p);
            bool expected_pass = color != 2 && !(color == 1 && yellow_stops) && !travel && mask && t < 37.3;
            EXPECT_EQ(d.pass, expected_pass) << describe(d);
            EXPECT_EQ(d.open_fever_handover, t >= 37.3) << describe(d);
            ASSERT_FALSE(d.reasons.empty()) << describe(d);
            if (!d.pass) {
              EXPECT_TRUE(kStopCodes.count(d.reasons[0].code)) << describe(d);
            }
          }
}

}  // namespace
}  // namespace epinet::domain
