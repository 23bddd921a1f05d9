// The tables community workers and the district exchange: the roster (花名册)
// and the pushed list (核实大数据返回人员信息), their columns (Chinese names
// first, English names accepted), and row-by-row validation. Pure: a
// TableFile in, validated rows and every problem out. Nothing is imported by
// the caller when `errors` is not empty.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/table_file.h"
#include "core/time.h"

namespace epinet::domain::community {

// One column of a template: the name written in the template and the names
// (Chinese and English) accepted when reading.
struct Column {
  std::string_view key;                    // "id_number"
  std::vector<std::string_view> names;     // {"身份证号", "身份证号码", "id_number"}
  bool required = false;
};
const std::vector<Column>& roster_columns();
const std::vector<Column>& push_list_columns();
// The template's header row: each column's first (Chinese) name.
std::vector<std::string> template_header(const std::vector<Column>& cols);

struct RowError {
  int line = 0;  // 1-based row in the file (the header is line 1 for a CSV without blank lines)
  std::string message;
};

struct RosterRow {
  int line = 0;
  std::string name, id_number;  // id_number normalized (upper-case X)
  std::string phone;            // digits only, "" when absent
  std::string compound, building, unit, room, note;
};
struct RosterParse {
  std::vector<RosterRow> rows;
  std::vector<RowError> errors;
};
// Validates every row: name, identity number (GB 11643 check digit; a lower-
// case x is fine), phone, compound. A number twice in the file is an error on
// the second line.
RosterParse parse_roster(const TableFile& t);

struct PushRow {
  int line = 0;
  std::string name, id_number;  // id_number normalized, "" when the row has only a phone
  std::string phone;            // digits only
  std::string origin, arrival_date;  // arrival_date "YYYY-MM-DD" or ""
};
struct PushParse {
  std::vector<PushRow> rows;
  std::vector<RowError> errors;
};
// Each row needs a name and an identity number or a phone. Duplicates within
// the list are not errors here: reconciliation buckets them.
PushParse parse_push_list(const TableFile& t);

// Phone numbers as people write them ("139 0000 0000", "+86-139…"): digits
// only, the +86/0086 prefix dropped. nullopt when it has letters or is not
// 7 to 15 digits.
std::optional<std::string> normalize_phone(std::string_view text);
// "2021-08-03", "2021/8/3", "2021.08.03", "20210803", "2021-08-03T10:00:00" → "2021-08-03"; nullopt otherwise.
std::optional<std::string> normalize_date(std::string_view text);

}  // namespace epinet::domain::community
