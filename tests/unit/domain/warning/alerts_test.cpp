// The rules of early warning that a duty officer notices: which signals
// escalate together, which moves an alert may make, how an import's rows are
// checked and what a correction is, and when a webhook is tried again.
#include "domain/warning/alerts.h"

#include <gtest/gtest.h>

namespace epinet::domain::warning {
namespace {

const int32_t kDay = 20000;  // any day

TEST(Escalation, TwoChannelsWithinTheWindowEscalate) {
  std::vector<SignalRef> s{{1, Channel::kPharmacy, kDay - 2}, {2, Channel::kPositiveTests, kDay}};
  auto ev = escalation_evidence(s, kDay, {3, 2});
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].id, 1);  // oldest first
  EXPECT_EQ(ev[1].id, 2);
}

TEST(Escalation, ASignalOneDayOutsideTheWindowDoesNotCount) {
  // Window 3 days ending on kDay: kDay-2, kDay-1, kDay. kDay-3 is outside.
  std::vector<SignalRef> s{{1, Channel::kPharmacy, kDay - 3}, {2, Channel::kPositiveTests, kDay}};
  EXPECT_TRUE(escalation_evidence(s, kDay, {3, 2}).empty());
  EXPECT_EQ(escalation_evidence(s, kDay, {4, 2}).size(), 2u);
}

TEST(Escalation, SignalsAfterTheDayAreIgnored) {
  std::vector<SignalRef> s{{1, Channel::kPharmacy, kDay}, {2, Channel::kAbsence, kDay + 1}};
  EXPECT_TRUE(escalation_evidence(s, kDay, {3, 2}).empty());
  EXPECT_EQ(escalation_evidence(s, kDay + 1, {3, 2}).size(), 2u);
}

TEST(Escalation, ManySignalsInOneChannelAreNotMultiPoint) {
  std::vector<SignalRef> s{
      {1, Channel::kPharmacy, kDay - 2}, {2, Channel::kPharmacy, kDay - 1}, {3, Channel::kPharmacy, kDay}};
  EXPECT_TRUE(escalation_evidence(s, kDay, {3, 2}).empty());
}

TEST(Escalation, TheNumberOfChannelsIsASetting) {
  std::vector<SignalRef> s{{1, Channel::kPharmacy, kDay}, {2, Channel::kFeverClinic, kDay}};
  EXPECT_TRUE(escalation_evidence(s, kDay, {3, 3}).empty());
  s.push_back({3, Channel::kAbsence, kDay - 1});
  EXPECT_EQ(escalation_evidence(s, kDay, {3, 3}).size(), 3u);
}

TEST(Lifecycle, NewIsVerifiedThenConfirmedOrDismissed) {
  EXPECT_EQ(transition(AlertStatus::kNew, AlertAction::kVerify), AlertStatus::kVerifying);
  EXPECT_EQ(transition(AlertStatus::kVerifying, AlertAction::kConfirm), AlertStatus::kConfirmed);
  EXPECT_EQ(transition(AlertStatus::kVerifying, AlertAction::kDismiss), AlertStatus::kDismissed);
}

TEST(Lifecycle, EveryOtherMoveIsRefused) {
  EXPECT_FALSE(transition(AlertStatus::kNew, AlertAction::kConfirm));
  EXPECT_FALSE(transition(AlertStatus::kNew, AlertAction::kDismiss));
  EXPECT_FALSE(transition(AlertStatus::kVerifying, AlertAction::kVerify));
  for (auto closed : {AlertStatus::kConfirmed, AlertStatus::kDismissed})
    for (auto a : {AlertAction::kVerify, AlertAction::kConfirm, AlertAction::kDismiss})
      EXPECT_FALSE(transition(closed, a));
  EXPECT_TRUE(is_open(AlertStatus::kNew));
  EXPECT_TRUE(is_open(AlertStatus::kVerifying));
  EXPECT_FALSE(is_open(AlertStatus::kConfirmed));
}

TEST(Corrections, ASecondReportOfADayIsACorrectionOnlyWhenTheValueDiffers) {
  EXPECT_EQ(change_of(std::nullopt, 5), CountChange::kInsert);
  EXPECT_EQ(change_of(5, 7), CountChange::kCorrect);
  EXPECT_EQ(change_of(7, 7), CountChange::kUnchanged);
  EXPECT_EQ(change_of(7, 0), CountChange::kCorrect);
}

TEST(Import, GoodRowsAreReadWithChineseHeadersAndChannelNames) {
  auto today = *parse_day("2026-11-29");
  auto p = parse_import({"日期", "区划代码", "渠道", "数量"},
                        {{2, {"2026-11-28", "140702", "药店", "17"}}, {3, {"2026/11/29", "140703", "absence", "0"}}},
                        {"140702", "140703"}, today, "upload.csv");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].message;
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].channel, Channel::kPharmacy);
  EXPECT_EQ(p.rows[0].day, today - 1);
  EXPECT_EQ(p.rows[0].count, 17);
  EXPECT_EQ(p.rows[0].source, "upload.csv");
  EXPECT_EQ(p.rows[1].channel, Channel::kAbsence);
}

TEST(Import, EveryBadRowIsNamedWithWhatIsWrong) {
  auto today = *parse_day("2026-11-29");
  auto p = parse_import({"date", "division_code", "channel", "count", "source"},
                        {{2, {"2026-11-28", "140702", "pharmacy", "3", "A"}},
                         {3, {"2026-02-30", "140702", "pharmacy", "3", "A"}},
                         {4, {"2026-11-30", "140702", "pharmacy", "3", "A"}},
                         {5, {"2026-11-28", "110105", "pharmacy", "3", "A"}},
                         {6, {"2026-11-28", "140702", "sales", "3", "A"}},
                         {7, {"2026-11-28", "140702", "pharmacy", "2.5", "A"}},
                         {8, {"2026-11-28", "140702", "pharmacy", "4", "A"}},
                         {9, {"2026-11-27", "140702", "pharmacy", "4", "epinet"}}},
                        {"140702"}, today, "x");
  ASSERT_EQ(p.errors.size(), 7u);
  EXPECT_EQ(p.errors[0].line, 3);
  EXPECT_NE(p.errors[0].message.find("not YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(p.errors[1].message.find("future"), std::string::npos);
  EXPECT_NE(p.errors[2].message.find("110105"), std::string::npos);
  EXPECT_NE(p.errors[3].message.find("sales"), std::string::npos);
  EXPECT_NE(p.errors[4].message.find("2.5"), std::string::npos);
  EXPECT_NE(p.errors[5].message.find("line 2"), std::string::npos);  // the same day twice
  EXPECT_NE(p.errors[6].message.find("reserved"), std::string::npos);
}

TEST(Import, AMissingColumnIsNamed) {
  auto p = parse_import({"date", "count"}, {}, {"140702"}, 20000, "x");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_NE(p.errors[0].message.find("division_code channel"), std::string::npos);
}

TEST(Days, ParseAndFormatRoundTrip) {
  EXPECT_EQ(format_day(*parse_day("2024-02-29")), "2024-02-29");
  EXPECT_FALSE(parse_day("2023-02-29"));
  EXPECT_FALSE(parse_day("2023-1-5x"));
  EXPECT_EQ(*parse_day("2026-11-29T08:00:00"), *parse_day("2026-11-29"));
}

TEST(Webhook, RetriesBackOffAndStopGrowingAtTheCap) {
  EXPECT_EQ(retry_delay_ms(1, 1000, 60000), 1000);
  EXPECT_EQ(retry_delay_ms(2, 1000, 60000), 2000);
  EXPECT_EQ(retry_delay_ms(4, 1000, 60000), 8000);
  EXPECT_EQ(retry_delay_ms(30, 1000, 60000), 60000);
}

TEST(Channels, NamesRoundTrip) {
  EXPECT_EQ(all_channels().size(), 6u);
  for (auto c : all_channels()) EXPECT_EQ(parse_channel(channel_name(c)), c);
  EXPECT_FALSE(parse_channel("cough"));
}

}  // namespace
}  // namespace epinet::domain::warning
