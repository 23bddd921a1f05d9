// Reading the tables people upload: CSV (UTF-8 with or without BOM, or GBK /
// GB18030 as Excel on a Chinese Windows saves it) and XLSX (the first sheet).
// Pure: bytes in, rows of UTF-8 text out. Every import in epinet reads its file
// through here, so every import accepts the same files and reports problems
// the same way.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epinet {

enum class TableFormat { kCsv, kXlsx };

struct TableRow {
  int line = 0;  // 1-based row number as the user sees it (CSV line / sheet row)
  std::vector<std::string> cells;  // trimmed; cells beyond the last are absent
};

struct TableFile {
  TableFormat format = TableFormat::kCsv;
  std::string encoding;  // "utf-8" or "gb18030" for CSV; "xlsx" otherwise
  std::vector<std::string> header;  // the first non-empty row, trimmed
  std::vector<TableRow> rows;       // the rest; rows whose cells are all empty are dropped
};

// Reads a CSV or XLSX file. The format is taken from the bytes (an XLSX is a
// zip: "PK\3\4"), not the name. CSV: RFC 4180 quoting, "," separator (";" or
// tab when the header has none of ","), CRLF or LF, quoted newlines kept.
// A CSV that is not valid UTF-8 is decoded as GB18030 (a superset of GBK).
// XLSX: the first worksheet, shared and inline strings, numbers as written
// (integers without ".0"; a date-formatted cell as "YYYY-MM-DD" or
// "YYYY-MM-DDTHH:MM:SS"), booleans as "TRUE"/"FALSE".
// Throws Error(kInvalid, "invalid_file") with a message a person can act on
// when the file cannot be read at all (empty, a broken zip, no worksheet).
TableFile read_table_file(std::string_view bytes);

// Column lookup by header name: the index of the first header cell equal to
// one of `names` (case-insensitive for ASCII, so "ID_Number" matches), or
// nullopt. Lets an import accept both "身份证号" and "id_number".
std::optional<size_t> find_column(const std::vector<std::string>& header,
                                  const std::vector<std::string_view>& names);

// The cell at `col` of `row`, or "" when the row is shorter.
const std::string& cell(const TableRow& row, size_t col);

// One CSV record → fields (RFC 4180 quoting, fields trimmed of spaces).
std::vector<std::string> split_csv_record(std::string_view line, char sep = ',');

}  // namespace epinet
