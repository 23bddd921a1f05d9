// The output files: documented headers, byte-identical for the same seed
// (whatever the thread count), different for another seed, checkins.bin in
// step with checkins.csv, and every venue or trip infection in
// infections.csv backed by the stays and seats in the other files.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "../test_support.h"
#include "domain/person/identity.h"
#include "sim_test_support.h"

namespace epinet::sim {
namespace {

using epinet::testing::TempDir;
using testing::csv_rows;
using testing::read_file;
using testing::small_scenario;
using testing::start_of;

const char* const kFiles[] = {"persons.csv",    "venues.csv", "checkins.csv", "checkins.bin", "trips.csv",
                              "infections.csv", "onsets.csv", "tests.csv",    "signals.csv",  "summary.json"};

void write_run(const Scenario& s, const std::string& dir, int threads, CheckinFormat format = CheckinFormat::kBoth) {
  Simulator sim(s, start_of(s), threads);
  FileSink files(dir, format);
  run(sim, files);
}

Scenario file_scenario(uint64_t seed = 3) {
  Scenario s = small_scenario(6000, 5, seed);
  s.seeds_imported = 4;
  s.seeds_local = 4;
  return s;
}

TEST(SimFiles, FormatsIntegersLikeToString) {
  char b[24];
  auto same = [&](uint64_t v) { return std::string(b, OutFile::format_u64(v, b)) == std::to_string(v); };
  uint64_t p = 1;
  for (int i = 0; i < 20; ++i, p *= 10)
    for (uint64_t v : {p - 1, p, p + 1}) EXPECT_TRUE(same(v)) << v;
  for (uint64_t v = 0; v < 100000; v += 3) ASSERT_TRUE(same(v)) << v;
  EXPECT_TRUE(same(18446744073709551615ULL));
  EXPECT_TRUE(same(1630857600));
}

TEST(SimFiles, SameSeedSameBytesWhateverTheThreads) {
  TempDir a, b, c;
  write_run(file_scenario(), a.path(), 1);
  write_run(file_scenario(), b.path(), 2);
  write_run(file_scenario(), c.path(), 3);
  for (const char* f : kFiles) {
    std::string x = read_file(a.file(f));
    EXPECT_FALSE(x.empty()) << f;
    EXPECT_TRUE(x == read_file(b.file(f))) << f << " differs between 1 and 2 threads";
    EXPECT_TRUE(x == read_file(c.file(f))) << f << " differs between 1 and 3 threads";
  }
}

TEST(SimFiles, AnotherSeedOtherFiles) {
  TempDir a, b;
  write_run(file_scenario(3), a.path(), 2, CheckinFormat::kCsv);
  write_run(file_scenario(4), b.path(), 2, CheckinFormat::kCsv);
  for (const char* f : {"persons.csv", "checkins.csv", "trips.csv", "infections.csv", "signals.csv"})
    EXPECT_NE(read_file(a.file(f)), read_file(b.file(f))) << f;
}

TEST(SimFiles, HeadersAsDocumented) {
  TempDir a;
  write_run(file_scenario(), a.path(), 2, CheckinFormat::kCsv);
  auto header = [&](const char* f) { return read_file(a.file(f)).substr(0, read_file(a.file(f)).find('\n')); };
  EXPECT_EQ(header("persons.csv"),
            "person_id,id_number,age,household_id,division_code,compound_id,sex,name,occupation,workplace_id");
  EXPECT_EQ(header("venues.csv"),
            "venue_id,type,division_code,name,kind,community_code,capacity,opens,closes,popularity,entrances");
  EXPECT_EQ(header("checkins.csv"), "person_id,venue_id,entrance,t_in,t_out");
  EXPECT_EQ(header("trips.csv"),
            "trip_id,vehicle,route,departure,person_id,seat_row,seat_col,arrival,from_venue_id,to_venue_id");
  EXPECT_EQ(header("infections.csv"), "infector_id,infectee_id,setting,place_id,time");
  EXPECT_EQ(header("onsets.csv"), "person_id,onset_time,symptomatic,infectious_from,infectious_until,isolated_at");
  EXPECT_EQ(header("tests.csv"), "person_id,sampled_at,result_at,result,venue_id,reason");
  EXPECT_EQ(header("signals.csv"), "date,division_code,channel,count");
  EXPECT_FALSE(std::filesystem::exists(a.file("checkins.bin")));
}

TEST(SimFiles, BinaryCheckinsMatchTheCsv) {
  TempDir a;
  write_run(file_scenario(), a.path(), 2, CheckinFormat::kBoth);
  std::string bin = read_file(a.file("checkins.bin"));
  ASSERT_GE(bin.size(), 32u);
  ASSERT_EQ(bin.substr(0, 8), "EPSIMCK1");
  auto le32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bin[at + static_cast<size_t>(i)]);
    return v;
  };
  auto le64 = [&](size_t at) { return static_cast<uint64_t>(le32(at)) | (static_cast<uint64_t>(le32(at + 4)) << 32); };
  EXPECT_EQ(le32(8), 1u);
  EXPECT_EQ(le32(12), 16u);
  uint64_t count = le64(24);
  ASSERT_EQ(bin.size(), 32 + 16 * count);
  auto rows = csv_rows(read_file(a.file("checkins.csv")));
  ASSERT_EQ(rows.size(), count + 1);
  for (uint64_t i = 0; i < count; ++i) {
    size_t at = 32 + 16 * i;
    const auto& r = rows[i + 1];
    uint32_t dur = le32(at + 12) & 0xffffff, entrance = le32(at + 12) >> 24;
    ASSERT_EQ(std::to_string(le32(at)), r[0]);
    ASSERT_EQ(std::to_string(le32(at + 4)), r[1]);
    ASSERT_EQ(std::to_string(entrance), r[2]);
    ASSERT_EQ(std::to_string(le32(at + 8)), r[3]);
    ASSERT_EQ(std::to_string(le32(at + 8) + dur), r[4]);
  }
}

TEST(SimFiles, InfectionsAreBackedByTheOtherFiles) {
  TempDir a;
  Scenario s = file_scenario();
  s.persons = 15000;
  s.days = 8;
  s.seeds_imported = 8;
  s.seeds_local = 8;
  s.coach_daily_fraction = 0.12;  // crowded, infectious coaches: trips to check too
  s.trip_beta = 0.01;
  write_run(s, a.path(), 2, CheckinFormat::kCsv);
  auto infections = csv_rows(read_file(a.file("infections.csv")));
  auto checkins = csv_rows(read_file(a.file("checkins.csv")));
  auto trips = csv_rows(read_file(a.file("trips.csv")));
  auto persons = csv_rows(read_file(a.file("persons.csv")));
  // Stays by (person, venue); seats by (trip, person).
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<int64_t, int64_t>>> stays;
  for (size_t i = 1; i < checkins.size(); ++i)
    stays[{checkins[i][0], checkins[i][1]}].push_back({std::stoll(checkins[i][3]), std::stoll(checkins[i][4])});
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> seats;  // (trip, person) → row
  std::map<std::string, std::pair<int64_t, int64_t>> trip_time;
  for (size_t i = 1; i < trips.size(); ++i) {
    seats[{trips[i][0], trips[i][4]}].push_back(trips[i][5]);
    trip_time[trips[i][0]] = {std::stoll(trips[i][3]), std::stoll(trips[i][7])};
  }
  std::map<std::string, std::string> household;
  for (size_t i = 1; i < persons.size(); ++i) household[persons[i][0]] = persons[i][3];
  int venue = 0, trip = 0, seeds = 0;
  for (size_t i = 1; i < infections.size(); ++i) {
    const auto& x = infections[i];
    const std::string &infector = x[0], &infectee = x[1], &setting = x[2], &place = x[3];
    int64_t t = std::stoll(x[4]);
    if (setting == "venue") {
      ++venue;
      auto present = [&](const std::string& p) {
        for (auto [in, out] : stays[{p, place}])
          if (in <= t && t < out) return true;
        return false;
      };
      EXPECT_TRUE(present(infector)) << "line " << i + 1 << ": infector not at venue " << place;
      EXPECT_TRUE(present(infectee)) << "line " << i + 1 << ": infectee not at venue " << place;
    } else if (setting == "trip") {
      ++trip;
      auto a_rows = seats[{place, infector}], b_rows = seats[{place, infectee}];
      ASSERT_EQ(a_rows.size(), 1u) << "line " << i + 1;
      ASSERT_EQ(b_rows.size(), 1u) << "line " << i + 1;
      EXPECT_LE(std::abs(std::stoi(a_rows[0]) - std::stoi(b_rows[0])), 2) << "line " << i + 1;
      EXPECT_LE(trip_time[place].first, t);
      EXPECT_LT(t, trip_time[place].second);
    } else if (setting == "household") {
      EXPECT_EQ(household[infector], household[infectee]);
      EXPECT_EQ(household[infectee], place);
    } else {
      ++seeds;
      EXPECT_TRUE(infector.empty());
      EXPECT_TRUE(setting == "import" || setting == "local") << setting;
    }
  }
  EXPECT_GT(venue, 0);
  EXPECT_GT(trip, 0);
  EXPECT_EQ(seeds, 16);
}

TEST(SimFiles, PersonsHaveValidUniqueIdentityNumbers) {
  TempDir a;
  write_run(file_scenario(), a.path(), 2, CheckinFormat::kCsv);
  auto persons = csv_rows(read_file(a.file("persons.csv")));
  ASSERT_EQ(persons.size(), 6001u);
  std::set<std::string> ids;
  for (size_t i = 1; i < persons.size(); ++i) {
    ASSERT_TRUE(domain::check_id_number(persons[i][1])) << persons[i][1];
    ASSERT_EQ(persons[i][1].substr(0, 6), persons[i][4]);
    ASSERT_TRUE(ids.insert(persons[i][1]).second);
  }
}

}  // namespace
}  // namespace epinet::sim
