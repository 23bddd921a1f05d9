#include "core/time.h"

#include <gtest/gtest.h>

namespace epinet {
namespace {

// 2026-11-29T11:17:50Z
constexpr Millis kSample = 1795951070000;

TEST(Iso8601, FormatsWholeSecondsWithoutMilliseconds) {
  EXPECT_EQ(iso8601(kSample), "2026-11-29T11:17:50Z");
  EXPECT_EQ(iso8601(0), "1970-01-01T00:00:00Z");
}

TEST(Iso8601, ShowsMillisecondsWhenNotZero) {
  EXPECT_EQ(iso8601(kSample + 7), "2026-11-29T11:17:50.007Z");
  EXPECT_EQ(iso8601(kSample + 250), "2026-11-29T11:17:50.250Z");
}

TEST(Iso8601, FormatsTimesBefore1970) {
  EXPECT_EQ(iso8601(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(iso8601(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(iso8601(-86400000), "1969-12-31T00:00:00Z");
  // 1949-10-01T10:00:00Z
  EXPECT_EQ(iso8601(-639064800000), "1949-10-01T10:00:00Z");
}

TEST(Iso8601, HandlesLeapDays) {
  EXPECT_EQ(iso8601(951782400000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(iso8601(1709164800000), "2024-02-29T00:00:00Z");
}

TEST(ParseIso8601, ReadsUtcTimes) {
  EXPECT_EQ(parse_iso8601("2026-11-29T11:17:50Z"), kSample);
  EXPECT_EQ(parse_iso8601("2026-11-29T11:17:50.007Z"), kSample + 7);
  EXPECT_EQ(parse_iso8601("2026-11-29T11:17Z"), kSample - 50000);
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
}

TEST(ParseIso8601, NoZoneMeansUtc) {
  EXPECT_EQ(parse_iso8601("2026-11-29T11:17:50"), kSample);
  EXPECT_EQ(parse_iso8601("2026-11-29 11:17:50"), kSample);
}

TEST(ParseIso8601, AppliesOffsets) {
  // 19:17:50 in Beijing is 11:17:50 UTC.
  EXPECT_EQ(parse_iso8601("2026-11-29T19:17:50+08:00"), kSample);
  EXPECT_EQ(parse_iso8601("2026-11-29T06:17:50-05:00"), kSample);
  EXPECT_EQ(parse_iso8601("2026-11-29T11:17:50+00:00"), kSample);
  // An offset that crosses midnight.
  EXPECT_EQ(parse_iso8601("2026-11-30T02:00:00+08:00"), parse_iso8601("2026-11-29T18:00:00Z"));
}

TEST(ParseIso8601, DateOnlyIsMidnightUtc) {
  EXPECT_EQ(parse_iso8601("2026-11-29"), kSample - (11 * 3600 + 17 * 60 + 50) * 1000LL);
  EXPECT_EQ(parse_iso8601("1970-01-01"), 0);
}

TEST(ParseIso8601, FractionsOfASecond) {
  EXPECT_EQ(parse_iso8601("2026-11-29T11:17:50.5Z"), kSample + 500);
  EXPECT_EQ(parse_iso8601("2026-11-29T11:17:50.12Z"), kSample + 120);
}

TEST(ParseIso8601, RoundTripsWhatIso8601Writes) {
  for (Millis t :
       {Millis{0}, Millis{1}, Millis{-1}, Millis{999}, kSample, kSample + 1, kSample + 999, Millis{-639064800000},
        Millis{-639064800001}, Millis{951782400000}, Millis{4102444799999}, Millis{-2208988800000}}) {
    auto s = iso8601(t);
    EXPECT_EQ(parse_iso8601(s), t) << s;
  }
}

TEST(ParseIso8601, RejectsGarbage) {
  for (const char* bad : {"",
                          "abc",
                          "2026",
                          "2026-11",
                          "2026-13-01",
                          "2026-00-10",
                          "2026-11-00",
                          "2026-11-32",
                          "2026-11-29T25:00",
                          "2026-11-29T24:00",
                          "2026-11-29T10:60",
                          "2026-11-29T",
                          "2026-11-29T1:00",
                          "2026-1-29",
                          "26-11-29",
                          "2026/11/29",
                          "2026-11-29x",
                          "2026-11-29T10:00Zjunk",
                          "2026-11-29T10:00:00Z ",
                          "2026-11-29T10:00:00.Z",
                          "2026-11-29T10:00:00.123abc",
                          "2026-11-29T10:00+0800",
                          "2026-11-29T10:00+08",
                          "2026-11-29T10:00:00+08:00x",
                          "2026-11-29T10:0a"}) {
    EXPECT_EQ(parse_iso8601(bad), std::nullopt) << "accepted '" << bad << "'";
  }
}

TEST(ParseIso8601, RejectsDaysThatDoNotExistInTheMonth) {
  // A user who types 2026-02-30 made a mistake; quietly reading it as
  // 2026-03-02 would file a record under the wrong day.
  for (const char* bad :
       {"2026-02-29", "2026-02-30", "2026-04-31", "2026-06-31", "2100-02-29", "2026-02-30T10:00:00Z"}) {
    EXPECT_EQ(parse_iso8601(bad), std::nullopt) << "accepted '" << bad << "'";
  }
  EXPECT_NE(parse_iso8601("2024-02-29"), std::nullopt) << "2024 is a leap year";
  EXPECT_NE(parse_iso8601("2000-02-29"), std::nullopt) << "2000 is a leap year";
}

TEST(ParseIso8601, RejectsImpossibleOffsets) {
  EXPECT_EQ(parse_iso8601("2026-11-29T10:00+24:00"), std::nullopt);
  EXPECT_EQ(parse_iso8601("2026-11-29T10:00+08:60"), std::nullopt);
}

TEST(NowMs, IsCurrentUnixTimeInMilliseconds) {
  Millis t = now_ms();
  EXPECT_GT(t, *parse_iso8601("2024-01-01"));
  EXPECT_LT(t, *parse_iso8601("2100-01-01"));
}

}  // namespace
}  // namespace epinet
