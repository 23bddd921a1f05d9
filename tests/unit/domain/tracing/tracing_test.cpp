#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "domain/tracing/index.h"
#include "domain/tracing/rules.h"
#include "domain/tracing/trace.h"

namespace epinet::domain::tracing {
namespace {

constexpr Millis kT = 1'795'000'000'000LL;  // the index's stay begins here (2026-11-18)
constexpr Millis kM = kMinute;
constexpr int64_t kIndex = 1, kVenue = 100, kOther = 200;

// A window that is wide open, so only the venue rules decide.
std::set<int64_t> met(const TraceIndex& ix, const Rules& r, ContactKind kind = ContactKind::kClose,
                      Millis from = kT - 30 * kDay, Millis to = kT + 30 * kDay, int64_t who = kIndex) {
  std::vector<Exposure> out;
  ix.exposures(who, from, to, r, out);
  std::set<int64_t> s;
  for (const auto& e : out)
    if (e.kind == kind) s.insert(e.person_id);
  return s;
}

TraceIndex venue_with_index_stay(Millis in = kT, Millis out = kT + 60 * kM) {
  TraceIndex ix;
  ix.add_venue(kVenue, "restaurant");
  ix.add_venue(kOther, "shop");
  ix.add_stay(kIndex, kVenue, in, out);
  return ix;
}

// --- venue: buffer edges -----------------------------------------------------

TEST(TraceVenue, AStayEndingExactlyAtTheBufferEdgeBeforeIsACloseContactOneMillisecondEarlierIsNot) {
  Rules r;  // buffer 15 min, min overlap 0
  auto ix = venue_with_index_stay();
  ix.add_stay(2, kVenue, kT - 60 * kM, kT - 15 * kM);      // ends at the buffer's edge
  ix.add_stay(3, kVenue, kT - 60 * kM, kT - 15 * kM - 1);  // 1 ms short
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2}));
}

TEST(TraceVenue, AStayStartingExactlyAtTheBufferEdgeAfterIsACloseContactOneMillisecondLaterIsNot) {
  Rules r;
  auto ix = venue_with_index_stay();
  ix.add_stay(4, kVenue, kT + 75 * kM, kT + 90 * kM);
  ix.add_stay(5, kVenue, kT + 75 * kM + 1, kT + 90 * kM);
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{4}));
}

TEST(TraceVenue, OverlapIsMeasuredOnTheRealStaysAndTheBufferAloneGivesZeroMinutes) {
  Rules r;
  auto ix = venue_with_index_stay();
  ix.add_stay(2, kVenue, kT + 30 * kM, kT + 120 * kM);  // 30 min really together
  ix.add_stay(3, kVenue, kT + 70 * kM, kT + 80 * kM);   // only within the buffer
  std::vector<Exposure> out;
  ix.exposures(kIndex, kT - kDay, kT + kDay, r, out);
  ASSERT_EQ(out.size(), 2u);
  for (const auto& e : out) {
    if (e.person_id == 2) {
      EXPECT_EQ(e.overlap, 30 * kM);
      EXPECT_EQ(e.from, kT + 30 * kM);
      EXPECT_EQ(e.to, kT + 75 * kM);  // the widened overlap ends at the index's exit + 15 min
    } else {
      EXPECT_EQ(e.person_id, 3);
      EXPECT_EQ(e.overlap, 0);
    }
    EXPECT_EQ(e.place_id, kVenue);
    EXPECT_EQ(e.setting, Setting::kVenue);
  }
}

TEST(TraceVenue, ZeroBufferNeedsTheStaysThemselvesToMeet) {
  Rules r;
  r.buffer = 0;
  auto ix = venue_with_index_stay();
  ix.add_stay(2, kVenue, kT + 60 * kM, kT + 70 * kM);      // enters as the index leaves: touching counts
  ix.add_stay(3, kVenue, kT + 60 * kM + 1, kT + 70 * kM);  // after
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2}));
}

TEST(TraceVenue, OtherVenuesAndTheIndexItselfAreNotContacts) {
  Rules r;
  auto ix = venue_with_index_stay();
  ix.add_stay(2, kOther, kT, kT + 60 * kM);
  EXPECT_TRUE(met(ix, r).empty());
}

// --- venue: minimum overlap and the companion tier ----------------------------

TEST(TraceVenue, MinimumOverlapSendsShorterMeetingsToTheCompanionTier) {
  Rules r;
  r.min_overlap = 15 * kM;
  auto ix = venue_with_index_stay();
  ix.add_stay(2, kVenue, kT + 60 * kM, kT + 120 * kM);          // widened overlap exactly 15 min
  ix.add_stay(3, kVenue, kT + 60 * kM + 1, kT + 120 * kM);      // 1 ms short
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2}));
  EXPECT_EQ(met(ix, r, ContactKind::kCompanion), (std::set<int64_t>{3}));
}

TEST(TraceVenue, VenueTypesNotOfCloseInteractionGiveCompanionsOnly) {
  Rules r;
  r.close_venue_types = {"restaurant", "gym"};
  auto ix = venue_with_index_stay();
  ix.add_stay(kIndex, kOther, kT + 2 * 60 * kM, kT + 3 * 60 * kM);  // the shop
  ix.add_stay(2, kVenue, kT, kT + 10 * kM);
  ix.add_stay(3, kOther, kT + 2 * 60 * kM, kT + 2 * 60 * kM + 10 * kM);
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2}));
  EXPECT_EQ(met(ix, r, ContactKind::kCompanion), (std::set<int64_t>{3}));
  r.close_venue_types.clear();  // the default: every venue type is of close interaction
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2, 3}));
}

// --- stays without an exit -------------------------------------------------------

TEST(TraceVenue, AnEntryWithoutExitLastsTheVenueTypesDefaultStay) {
  Rules r;
  r.buffer = 0;
  r.default_stay_by_type["restaurant"] = 60 * kM;
  TraceIndex ix;
  ix.add_venue(kVenue, "restaurant");
  ix.add_stay(kIndex, kVenue, kT, std::nullopt);  // counts as kT … kT + 60 min
  ix.add_stay(2, kVenue, kT + 60 * kM, kT + 70 * kM);
  ix.add_stay(3, kVenue, kT + 61 * kM, kT + 70 * kM);
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2}));
  r.default_stay_by_type["restaurant"] = 90 * kM;
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2, 3}));
}

TEST(TraceVenue, AnExitClosesTheLatestOpenStayAndShortensIt) {
  Rules r;
  r.buffer = 0;
  TraceIndex ix;
  ix.add_venue(kVenue, "restaurant");
  ix.add_stay(kIndex, kVenue, kT, std::nullopt);
  ix.add_stay(2, kVenue, kT + 30 * kM, kT + 40 * kM);
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2}));
  EXPECT_TRUE(ix.close_stay(kIndex, kVenue, kT + 20 * kM));
  EXPECT_TRUE(met(ix, r).empty()) << "left after 20 minutes";
  EXPECT_FALSE(ix.close_stay(kIndex, kVenue, kT + 25 * kM)) << "nothing open any more";
  EXPECT_FALSE(ix.close_stay(kIndex, kVenue, kT + 2 * kDay)) << "an exit more than 24 h later closes nothing";
}

TEST(TraceVenue, StaysAcrossMidnightAreFoundFromTheNextDay) {
  Rules r;
  TraceIndex ix;
  ix.add_venue(kVenue, "hospital");
  const Millis midnight = (kT / kDay + 1) * kDay;
  ix.add_stay(2, kVenue, midnight - 3 * 60 * kM, midnight + 3 * 60 * kM);
  ix.add_stay(kIndex, kVenue, midnight + 60 * kM, midnight + 90 * kM);
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2}));
  EXPECT_EQ(met(ix, r, ContactKind::kClose, kT - kDay, kT + 3 * kDay, 2), (std::set<int64_t>{kIndex}));
}

TEST(TraceVenue, LateScansKeepTheBucketSortedAndArePurgedWithTheRest) {
  Rules r;
  auto ix = venue_with_index_stay();
  ix.add_stay(3, kVenue, kT + 50 * kM, kT + 55 * kM);
  ix.add_stay(2, kVenue, kT + 10 * kM, kT + 20 * kM);  // arrives late, entered earlier
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2, 3}));
  EXPECT_EQ(ix.stay_count(), 3u);
  ix.purge_before(kT + 30 * kM);
  EXPECT_EQ(ix.stay_count(), 1u);
  EXPECT_TRUE(met(ix, r, ContactKind::kClose, kT - kDay, kT + kDay, 3).empty());
  ix.purge_before(kT + 2 * kDay);
  EXPECT_EQ(ix.stay_count(), 0u);
}

// --- exposure window edges ------------------------------------------------------

TEST(TraceWindow, TheWindowOpensFourDaysBeforeOnsetAndClosesAtIsolation) {
  Rules r;
  CaseCourse c;
  c.onset = kT;
  c.first_positive = kT + kDay;
  c.isolated_at = kT + 2 * kDay;
  auto w = exposure_window(c, r, kT + 9 * kDay);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->from, kT - 4 * kDay);
  EXPECT_EQ(w->to, kT + 2 * kDay);
  c.onset.reset();  // asymptomatic: from the first positive sample
  c.isolated_at.reset();  // not isolated: until now
  w = exposure_window(c, r, kT + 9 * kDay);
  EXPECT_EQ(w->from, kT - 3 * kDay);
  EXPECT_EQ(w->to, kT + 9 * kDay);
  c.first_positive.reset();
  EXPECT_FALSE(exposure_window(c, r, kT));
}

TEST(TraceWindow, StaysOutsideTheWindowDoNotCountAndTheWindowClipsTheIndexStay) {
  Rules r;
  r.buffer = 0;
  auto ix = venue_with_index_stay(kT, kT + 60 * kM);
  ix.add_stay(2, kVenue, kT + 40 * kM, kT + 50 * kM);
  // Isolated at kT + 30 min: the index's stay counts until then only.
  EXPECT_TRUE(met(ix, r, ContactKind::kClose, kT - kDay, kT + 30 * kM).empty());
  EXPECT_EQ(met(ix, r, ContactKind::kClose, kT - kDay, kT + 40 * kM), (std::set<int64_t>{2}));
  // A window that opens after the stay ended.
  EXPECT_TRUE(met(ix, r, ContactKind::kClose, kT + 61 * kM, kT + kDay).empty());
  EXPECT_EQ(met(ix, r, ContactKind::kClose, kT + 60 * kM, kT + kDay).size(), 0u)
      << "the window opens as the index leaves; person 2 came later";
}

// --- trips ------------------------------------------------------------------------

TEST(TraceTrip, SameTripRowsWithinThreeAndTheCrew) {
  Rules r;
  TraceIndex ix;
  ix.add_trip({7, "晋KA1234", kT, kT + 90 * kM});
  ix.add_trip({8, "晋KA9999", kT, kT + 90 * kM});
  ix.add_seat({7, kIndex, 5, 2, false});
  ix.add_seat({7, 10, 0, 1, true});  // the driver
  for (int row = 1; row <= 11; ++row) ix.add_seat({7, 100 + row, row, 3, false});
  ix.add_seat({8, 300, 5, 1, false});  // another coach at the same time
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{10, 102, 103, 104, 105, 106, 107, 108}));
  r.row_span = 0;
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{10, 105}));
}

TEST(TraceTrip, TheDriverAsIndexMeetsTheFrontRowsAndTheOtherCrew) {
  Rules r;
  TraceIndex ix;
  ix.add_trip({7, "晋KA1234", kT, kT + 90 * kM});
  ix.add_seat({7, kIndex, 0, 1, true});
  ix.add_seat({7, 2, 0, 2, true});
  ix.add_seat({7, 3, 3, 1, false});
  ix.add_seat({7, 4, 4, 1, false});
  EXPECT_EQ(met(ix, r), (std::set<int64_t>{2, 3}));
}

TEST(TraceTrip, ATripOutsideTheWindowDoesNotCount) {
  Rules r;
  TraceIndex ix;
  ix.add_trip({7, "晋KA1234", kT, kT + 90 * kM});
  ix.add_seat({7, kIndex, 5, 2, false});
  ix.add_seat({7, 2, 5, 3, false});
  EXPECT_TRUE(met(ix, r, ContactKind::kClose, kT + 90 * kM + 1, kT + kDay).empty());
  EXPECT_EQ(met(ix, r, ContactKind::kClose, kT + 90 * kM, kT + kDay), (std::set<int64_t>{2}));
  EXPECT_TRUE(met(ix, r, ContactKind::kClose, kT - kDay, kT - 1).empty());
}

// --- households -------------------------------------------------------------------

TEST(TraceHousehold, HouseholdMembersAreAlwaysCloseContactsForTheWholeWindow) {
  Rules r;
  TraceIndex ix;
  ix.add_person(kIndex, 50);
  ix.add_person(2, 50);
  ix.add_person(3, 51);
  std::vector<Exposure> out;
  ix.exposures(kIndex, kT, kT + kDay, r, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].person_id, 2);
  EXPECT_EQ(out[0].setting, Setting::kHousehold);
  EXPECT_EQ(out[0].from, kT);
  EXPECT_EQ(out[0].to, kT + kDay);
  ix.add_person(2, 51);  // moved out
  EXPECT_TRUE(met(ix, r).empty());
}

// --- the trace: tiers and the secondary window --------------------------------------

struct Chain {
  TraceIndex ix;
  Chain() {
    ix.add_venue(kVenue, "restaurant");
    ix.add_venue(kOther, "gym");
    ix.add_stay(kIndex, kVenue, kT, kT + 60 * kM);
    ix.add_stay(2, kVenue, kT + 30 * kM, kT + 90 * kM);  // close contact; first exposure kT + 30 min
    // Person 2 at the gym: 3 before 2's first exposure, 4 after, 5 after 2 was put under control.
    ix.add_stay(2, kOther, kT - 5 * 60 * kM, kT - 4 * 60 * kM);
    ix.add_stay(3, kOther, kT - 5 * 60 * kM, kT - 4 * 60 * kM);
    ix.add_stay(2, kOther, kT + 3 * 60 * kM, kT + 4 * 60 * kM);
    ix.add_stay(4, kOther, kT + 3 * 60 * kM, kT + 4 * 60 * kM);
    ix.add_stay(2, kOther, kT + 30 * 60 * kM, kT + 31 * 60 * kM);
    ix.add_stay(5, kOther, kT + 30 * 60 * kM, kT + 31 * 60 * kM);
    ix.add_person(kIndex, 90);
    ix.add_person(6, 90);  // the index's household
    ix.add_person(4, 91);
    ix.add_person(7, 91);  // person 4's household: a contact of a secondary, not listed
  }
};

TEST(Trace, SecondaryContactsAreMetBetweenTheCloseContactsFirstExposureAndItsControl) {
  Chain ch;
  Rules r;
  std::vector<IndexCase> cases{{kIndex, {kT - 4 * kDay, kT + kDay}}};
  auto control = [](int64_t) { return kT + 20 * 60 * kM; };  // person 2 under control at kT + 20 h
  auto res = trace(ch.ix, cases, r, control);
  std::map<int64_t, ContactKind> got;
  for (const auto& c : res.contacts) got[c.person_id] = c.kind;
  EXPECT_EQ(got, (std::map<int64_t, ContactKind>{{2, ContactKind::kClose}, {6, ContactKind::kClose},
                                                 {4, ContactKind::kSecondary}}));
  const auto& two = *std::find_if(res.contacts.begin(), res.contacts.end(), [](const Contact& c) { return c.person_id == 2; });
  EXPECT_EQ(two.first_exposure, kT + 30 * kM - 0) << "the real overlap begins at kT + 30 min";
  EXPECT_EQ(res.evidence_of(two)[0].via, kIndex);
  const auto& four = *std::find_if(res.contacts.begin(), res.contacts.end(), [](const Contact& c) { return c.person_id == 4; });
  EXPECT_EQ(res.evidence_of(four)[0].via, 2);
  EXPECT_EQ(res.evidence_of(four)[0].place_id, kOther);
}

TEST(Trace, WithoutSecondaryTracingOnlyCloseContactsAreListed) {
  Chain ch;
  Rules r;
  r.secondary = false;
  auto res = trace(ch.ix, {{kIndex, {kT - 4 * kDay, kT + kDay}}}, r, [](int64_t) { return kT + 40 * 60 * kM; });
  EXPECT_EQ(res.count(ContactKind::kClose), 2u);
  EXPECT_EQ(res.count(ContactKind::kSecondary), 0u);
}

TEST(Trace, IndexPersonsAreNeverContactsAndTheStrongestTierWins) {
  Chain ch;
  Rules r;
  // Person 2 as a second index case: not a contact; person 4 becomes its close contact.
  auto res = trace(ch.ix, {{kIndex, {kT - 4 * kDay, kT + kDay}}, {2, {kT - 4 * kDay, kT + kDay}}}, r,
                   [](int64_t) { return kT + 40 * 60 * kM; });
  std::map<int64_t, ContactKind> got;
  for (const auto& c : res.contacts) got[c.person_id] = c.kind;
  EXPECT_EQ(got.count(2), 0u);
  EXPECT_EQ(got.at(3), ContactKind::kClose);
  EXPECT_EQ(got.at(4), ContactKind::kClose);
  EXPECT_EQ(got.at(7), ContactKind::kSecondary) << "person 4's household";
}

TEST(Trace, CompanionsDoNotGenerateSecondaryContacts) {
  TraceIndex ix;
  ix.add_venue(kVenue, "shop");
  ix.add_venue(kOther, "gym");
  ix.add_stay(kIndex, kVenue, kT, kT + 10 * kM);
  ix.add_stay(2, kVenue, kT, kT + 10 * kM);  // a companion (shops are not close-interaction here)
  ix.add_stay(2, kOther, kT + 60 * kM, kT + 70 * kM);
  ix.add_stay(3, kOther, kT + 60 * kM, kT + 70 * kM);
  Rules r;
  r.close_venue_types = {"gym"};
  auto res = trace(ix, {{kIndex, {kT - kDay, kT + kDay}}}, r, [](int64_t) { return kT + kDay; });
  ASSERT_EQ(res.contacts.size(), 1u);
  EXPECT_EQ(res.contacts[0].person_id, 2);
  EXPECT_EQ(res.contacts[0].kind, ContactKind::kCompanion);
}

// --- settings ----------------------------------------------------------------------

TEST(TraceRules, SettingsParseAndTheVersionFollowsEveryValue) {
  auto r = rules_from_settings({{"EPINET_TRACE_BUFFER_MIN", "10"},
                                {"EPINET_TRACE_CLOSE_VENUE_TYPES", "restaurant, gym"},
                                {"EPINET_TRACE_STAY_MIN_BY_TYPE", "shop:10,office:480"}});
  EXPECT_EQ(r.buffer, 10 * kM);
  EXPECT_EQ(r.close_venue_types, (std::vector<std::string>{"restaurant", "gym"}));
  EXPECT_EQ(r.stay_length("shop"), 10 * kM);
  EXPECT_EQ(r.stay_length("market"), 60 * kM);
  EXPECT_NE(r.version(), Rules{}.version());
  EXPECT_EQ(Rules{}.version(), Rules{}.version());
  EXPECT_THROW(rules_from_settings({{"EPINET_TRACE_ROW_SPAN", "-1"}}), Error);
  EXPECT_THROW(rules_from_settings({{"EPINET_TRACE_STAY_MIN_BY_TYPE", "shop"}}), Error);
}

}  // namespace
}  // namespace epinet::domain::tracing
