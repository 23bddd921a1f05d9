// Reconciling a pushed list against a community's roster and registrations:
// in memory, with hash maps of keyed hashes, so that 100,000 rows against a
// million residents take well under the 5 s the district allows. Pure.
//
// Matching order: identity number (keyed hash), then phone, then name within
// the community. A phone or name shared by several residents matches nobody
// (note "ambiguous"): a wrong match would close the follow-up of a person who
// was never found.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace epinet::domain::community {

enum class Bucket { kRegistered, kUnregistered, kUnmatched, kDuplicate };
std::string_view bucket_name(Bucket b);

struct Resident {
  int64_t person_id = 0;
  std::string id_hash;  // hex keyed hash of the identity number
  std::string phone;    // normalized digits, "" when unknown
  std::string name;
  int64_t compound_id = 0;  // 0 when the home is the community itself
  bool registered = false;  // a returnee registration recent enough to count
  bool moved_out = false;   // lived here, moved away (history)
};

// The roster indexed for matching. Build once per reconciliation.
class RosterIndex {
 public:
  explicit RosterIndex(std::vector<Resident> residents);
  const std::vector<Resident>& residents() const { return residents_; }
  // Index into residents(), -1 for none, -2 for several.
  int64_t by_id_hash(std::string_view id_hash) const;
  int64_t by_phone(std::string_view phone) const;
  int64_t by_name(std::string_view name) const;

  // An open-addressing table from a 64-bit hash of a text (identity hash,
  // phone, name) to the resident holding it, or to "several".
  class Table {
   public:
    void reserve(size_t n);
    void insert(uint64_t h, int64_t i, const std::vector<Resident>& rs, std::string Resident::*field);
    int64_t find(uint64_t h, std::string_view text, const std::vector<Resident>& rs, std::string Resident::*field) const;

   private:
    std::vector<uint64_t> keys_;
    std::vector<int64_t> vals_;     // resident index, -1 for an empty slot
    std::vector<uint8_t> several_;  // the text is held by more than one resident
    size_t mask_ = 0;
  };

 private:
  std::vector<Resident> residents_;
  Table ids_, phones_, names_;
};

struct ListRow {
  int line = 0;
  std::string id_hash;  // "" when the row has only a phone
  std::string phone, name;
};

struct Match {
  Bucket bucket = Bucket::kUnmatched;
  int64_t person_id = 0;     // the resident matched, 0 for none
  int64_t compound_id = 0;
  std::string matched_by;    // id_number | phone | name | ""
  std::string note;          // moved_out | ambiguous | line:N (duplicate of) | list:ID:LINE (on another open list)
};

// Where a person (by identity hash or phone) is already being followed up on
// another open list of the community: "list:ID:LINE".
using OpenElsewhere = std::unordered_map<std::string, std::string>;

// One Match per row, in order. A row is a duplicate when an earlier row of
// the same list names the same person (same identity hash, same phone, or the
// same matched resident) or when the person is on another list's open item;
// otherwise registered (matched, registration found), unregistered (matched,
// none) or unmatched (not a current resident; "moved_out" when they lived
// here). `progress(done)` is called every few thousand rows.
std::vector<Match> reconcile(const RosterIndex& roster, const std::vector<ListRow>& rows, const OpenElsewhere& open,
                             const std::function<void(size_t done)>& progress = {});

}  // namespace epinet::domain::community
