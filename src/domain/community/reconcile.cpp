#include "domain/community/reconcile.h"

#include <unordered_set>

namespace epinet::domain::community {
namespace {

uint64_t key_of(std::string_view hex) {
  uint64_t k = 0;
  for (size_t i = 0; i < 16 && i < hex.size(); ++i) {
    char c = hex[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
    k = k << 4 | static_cast<uint64_t>(v);
  }
  return k;
}

uint64_t text_hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

}  // namespace

std::string_view bucket_name(Bucket b) {
  switch (b) {
    case Bucket::kRegistered: return "registered";
    case Bucket::kUnregistered: return "unregistered";
    case Bucket::kUnmatched: return "unmatched";
    case Bucket::kDuplicate: return "duplicate";
  }
  return "unmatched";
}

void RosterIndex::Table::reserve(size_t n) {
  size_t cap = 16;
  while (cap < n + n / 2) cap <<= 1;
  keys_.assign(cap, 0);
  vals_.assign(cap, -1);
  several_.assign(cap, 0);
  mask_ = cap - 1;
}

void RosterIndex::Table::insert(uint64_t h, int64_t i, const std::vector<Resident>& rs, std::string Resident::*field) {
  size_t p = h & mask_;
  for (; vals_[p] != -1; p = (p + 1) & mask_)
    if (keys_[p] == h && rs[vals_[p]].*field == rs[i].*field) {
      if (vals_[p] != i) several_[p] = 1;
      return;
    }
  keys_[p] = h;
  vals_[p] = i;
}

int64_t RosterIndex::Table::find(uint64_t h, std::string_view text, const std::vector<Resident>& rs,
                                 std::string Resident::*field) const {
  if (vals_.empty()) return -1;
  for (size_t p = h & mask_; vals_[p] != -1; p = (p + 1) & mask_)
    if (keys_[p] == h && rs[vals_[p]].*field == text) return several_[p] ? -2 : vals_[p];
  return -1;
}

RosterIndex::RosterIndex(std::vector<Resident> residents) : residents_(std::move(residents)) {
  ids_.reserve(residents_.size());
  phones_.reserve(residents_.size());
  names_.reserve(residents_.size());
  for (int64_t i = 0; i < static_cast<int64_t>(residents_.size()); ++i) {
    const auto& r = residents_[i];
    if (!r.id_hash.empty()) ids_.insert(key_of(r.id_hash), i, residents_, &Resident::id_hash);
    if (!r.phone.empty()) phones_.insert(text_hash(r.phone), i, residents_, &Resident::phone);
    if (!r.name.empty()) names_.insert(text_hash(r.name), i, residents_, &Resident::name);
  }
}

// An identity hash held by two residents cannot happen (one person per number); -2 never comes back.
int64_t RosterIndex::by_id_hash(std::string_view h) const { return ids_.find(key_of(h), h, residents_, &Resident::id_hash); }
int64_t RosterIndex::by_phone(std::string_view p) const { return phones_.find(text_hash(p), p, residents_, &Resident::phone); }
int64_t RosterIndex::by_name(std::string_view n) const { return names_.find(text_hash(n), n, residents_, &Resident::name); }

std::vector<Match> reconcile(const RosterIndex& roster, const std::vector<ListRow>& rows, const OpenElsewhere& open,
                             const std::function<void(size_t)>& progress) {
  std::vector<Match> out(rows.size());
  std::unordered_map<std::string_view, int> first_id, first_phone;  // → line
  std::unordered_map<int64_t, int> first_person;
  first_id.reserve(rows.size());
  first_phone.reserve(rows.size());
  first_person.reserve(rows.size());
  const auto& rs = roster.residents();
  for (size_t n = 0; n < rows.size(); ++n) {
    const auto& row = rows[n];
    auto& m = out[n];
    if (progress && n % 4096 == 0) progress(n);
    // Match: identity number, then phone, then name.
    int64_t i = -1;
    bool ambiguous = false;
    if (!row.id_hash.empty()) {
      i = roster.by_id_hash(row.id_hash);
      if (i >= 0) m.matched_by = "id_number";
    }
    if (i < 0 && !row.phone.empty()) {
      i = roster.by_phone(row.phone);
      ambiguous = ambiguous || i == -2;
      // A phone match with a different identity number on the list is somebody else.
      if (i >= 0 && !row.id_hash.empty() && !rs[i].id_hash.empty() && rs[i].id_hash != row.id_hash) i = -1;
      if (i >= 0) m.matched_by = "phone";
    }
    if (i < 0 && !row.name.empty()) {
      int64_t j = roster.by_name(row.name);
      ambiguous = ambiguous || j == -2;
      // Only a resident whose number and phone do not contradict the row.
      if (j >= 0 && (row.id_hash.empty() || rs[j].id_hash == row.id_hash) &&
          (row.phone.empty() || rs[j].phone.empty() || rs[j].phone == row.phone))
        i = j, m.matched_by = "name";
    }
    if (i >= 0) {
      m.person_id = rs[i].person_id;
      m.compound_id = rs[i].compound_id;
    }
    // Duplicates: the same person earlier in this list, or followed up on another list.
    int dup_line = 0;
    if (!row.id_hash.empty()) {
      auto [it, fresh] = first_id.emplace(row.id_hash, row.line);
      if (!fresh) dup_line = it->second;
    }
    if (!dup_line && !row.phone.empty() && row.id_hash.empty()) {
      auto [it, fresh] = first_phone.emplace(row.phone, row.line);
      if (!fresh) dup_line = it->second;
    }
    if (!dup_line && m.person_id) {
      auto [it, fresh] = first_person.emplace(m.person_id, row.line);
      if (!fresh) dup_line = it->second;
    }
    if (dup_line) {
      m.bucket = Bucket::kDuplicate;
      m.note = "line:" + std::to_string(dup_line);
      continue;
    }
    bool registered = i >= 0 && rs[i].registered;
    if (!registered) {
      auto it = row.id_hash.empty() ? open.end() : open.find(row.id_hash);
      if (it == open.end() && !row.phone.empty()) it = open.find(row.phone);
      if (it != open.end()) {
        m.bucket = Bucket::kDuplicate;
        m.note = it->second;
        continue;
      }
    }
    if (i >= 0 && rs[i].moved_out) {
      m.bucket = Bucket::kUnmatched;
      m.note = "moved_out";
    } else if (i >= 0) {
      m.bucket = registered ? Bucket::kRegistered : Bucket::kUnregistered;
    } else {
      m.bucket = Bucket::kUnmatched;
      if (ambiguous) m.note = "ambiguous";
    }
  }
  if (progress) progress(rows.size());
  return out;
}

}  // namespace epinet::domain::community
