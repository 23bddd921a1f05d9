#include "http/export.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../test_support.h"
#include "core/error.h"

namespace epinet::http {
namespace {

using epinet::testing::Contains;
using epinet::testing::TempDir;

const std::string kBom = "\xEF\xBB\xBF";

// A small RFC 4180 reader for checking what a spreadsheet would see.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(cell);
      cell.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(cell);
      rows.push_back(row);
      row.clear();
      cell.clear();
      any = false;
      ++i;
    } else {
      cell += c;
      any = true;
    }
  }
  if (any || !cell.empty() || !row.empty()) {
    row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

// Strict UTF-8 (no truncated or overlong sequences).
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2)) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

// Runs a shell command; returns its exit status and (in `out`) its output.
int run(const std::string& cmd, const TempDir& dir, std::string* out = nullptr) {
  std::string log = dir.file("cmd.out");
  int rc = std::system((cmd + " >" + log + " 2>&1").c_str());
  if (out) *out = read_file(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// --- CSV ------------------------------------------------------------------------

TEST(CsvExport, StartsWithBomAndEndsRowsWithCrlf) {
  std::string csv = to_csv({{"姓名", "体温"}, {"张三", "36.5"}});
  EXPECT_EQ(csv, kBom + "姓名,体温\r\n张三,36.5\r\n");
}

TEST(CsvExport, QuotesCommasQuotesAndNewlines) {
  Table t = {{"a,b", "say \"hi\"", "line1\nline2", "cr\rhere", "plain"}};
  std::string csv = to_csv(t);
  EXPECT_TRUE(Contains(csv, "\"a,b\""));
  EXPECT_TRUE(Contains(csv, "\"say \"\"hi\"\"\""));
  EXPECT_TRUE(Contains(csv, "\"line1\nline2\""));
  EXPECT_TRUE(Contains(csv, ",plain\r\n"));
  ASSERT_EQ(csv.rfind(kBom, 0), 0u);
  auto rows = parse_csv(csv.substr(kBom.size()));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], t[0]) << "a CSV reader gets the same cells back";
}

TEST(CsvExport, RoundTripsJsonCellsWithQuotesAtTheEdgesAndSideBySide) {
  // The evidence column of a trace job's export is JSON: quotes first, last and next to each other.
  Table t = {{"\"", "\"\"", "[{\"via\":1,\"place\":\"东门 \\\"A\\\"\"},\"\"]", "a\"", "\"a"}};
  std::string csv = to_csv(t);
  EXPECT_EQ(csv.substr(kBom.size(), 12), "\"\"\"\",\"\"\"\"\"\",");
  auto rows = parse_csv(csv.substr(kBom.size()));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], t[0]);
}

TEST(CsvExport, RoundTripsChineseAndEmptyCells) {
  Table t = {{"场所", "入口", "时间", "备注"}, {"晋中市民之家", "东门", "2026-11-18 08:00", ""}, {"", "", "", ""}};
  auto rows = parse_csv(to_csv(t).substr(kBom.size()));
  EXPECT_EQ(rows, t);
}

TEST(CsvExport, FormulaCellsAreDefused) {
  const std::pair<std::string, std::string> cases[] = {
      {"=1+1", "\"'=1+1\""},
      {"+86 354 1234", "\"'+86 354 1234\""},
      {"@SUM(A1:A2)", "\"'@SUM(A1:A2)\""},
      {"-1+cmd|' /C calc'!A0", "\"'-1+cmd|' /C calc'!A0\""},
      {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
  };
  for (const auto& [cell, want] : cases) {
    std::string csv = to_csv({{cell}});
    EXPECT_EQ(csv, kBom + want + "\r\n") << cell;
    auto rows = parse_csv(csv.substr(kBom.size()));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "'" + cell) << "the spreadsheet shows the text, not a formula result";
  }
}

TEST(CsvExport, NegativeNumbersAreNotAltered) {
  for (const char* n : {"-5", "-0.5", "-12.75", "-1"}) {
    EXPECT_EQ(to_csv({{n}}), kBom + n + "\r\n") << n;
  }
  EXPECT_EQ(to_csv({{"0", "36.5", "2026-11-18"}}), kBom + "0,36.5,2026-11-18\r\n");
}

TEST(CsvExport, EmptyTableIsJustTheBom) { EXPECT_EQ(to_csv({}), kBom); }

// --- XLSX ----------------------------------------------------------------------

class XlsxExport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (std::system("command -v unzip >/dev/null 2>&1") != 0) GTEST_SKIP() << "unzip is not installed";
  }

  // Writes the workbook and checks the zip; returns the sheet XML.
  std::string sheet_of(const std::string& xlsx) {
    std::string path = dir_.file("t.xlsx");
    write_file(path, xlsx);
    std::string out;
    EXPECT_EQ(run("unzip -t " + path, dir_, &out), 0) << out;
    EXPECT_EQ(run("unzip -p " + path + " xl/worksheets/sheet1.xml", dir_, &out), 0) << out;
    return out;
  }
  std::string part(const std::string& name) {
    std::string out;
    // unzip reads '[' as a wildcard: escape it.
    std::string pattern;
    for (char c : name) pattern += c == '[' ? std::string("\\[") : std::string(1, c);
    EXPECT_EQ(run("unzip -p " + dir_.file("t.xlsx") + " '" + pattern + "'", dir_, &out), 0) << out;
    return out;
  }
  bool well_formed(const std::string& xml) {
    std::string f = dir_.file("part.xml");
    write_file(f, xml);
    if (std::system("command -v xmllint >/dev/null 2>&1") != 0) return true;  // no checker available
    std::string out;
    int rc = run("xmllint --noout " + f, dir_, &out);
    if (rc != 0) ADD_FAILURE() << out;
    return rc == 0;
  }

  TempDir dir_;
};

TEST_F(XlsxExport, IsAValidZipWithAllWorkbookParts) {
  std::string xlsx = to_xlsx("checkins", {{"a"}, {"1"}});
  ASSERT_EQ(xlsx.rfind("PK\x03\x04", 0), 0u);
  sheet_of(xlsx);
  std::string listing;
  ASSERT_EQ(run("unzip -l " + dir_.file("t.xlsx"), dir_, &listing), 0);
  for (const char* p : {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                        "xl/worksheets/sheet1.xml"})
    EXPECT_TRUE(Contains(listing, p));
  for (const char* p : {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"})
    EXPECT_TRUE(well_formed(part(p))) << p;
  EXPECT_TRUE(Contains(part("xl/workbook.xml"), "name=\"checkins\""));
}

TEST_F(XlsxExport, SheetHasHeaderTextNumbersEscapesAndChinese) {
  Table t = {{"姓名", "体温", "A&B", "备注"},
             {"张三", "36.5", "<b>x</b>", "晋中市 \"榆次区\""},
             {"李四", "-5", "R&D", "140702199003071238"}};
  std::string sheet = sheet_of(to_xlsx("签到", t));
  EXPECT_TRUE(well_formed(sheet));
  EXPECT_TRUE(Contains(sheet, ">姓名</t>"));
  EXPECT_TRUE(Contains(sheet, ">体温</t>"));
  EXPECT_TRUE(Contains(sheet, ">A&amp;B</t>"));
  EXPECT_TRUE(Contains(sheet, ">张三</t>"));
  EXPECT_TRUE(Contains(sheet, "&lt;b&gt;x&lt;/b&gt;"));
  EXPECT_TRUE(Contains(sheet, "R&amp;D"));
  EXPECT_TRUE(Contains(sheet, "晋中市 &quot;榆次区&quot;"));
  EXPECT_TRUE(Contains(sheet, "<c r=\"B2\"><v>36.5</v></c>"));
  EXPECT_TRUE(Contains(sheet, "<c r=\"B3\"><v>-5</v></c>"));
  EXPECT_EQ(sheet.find("<b>"), std::string::npos);
  // An 18-digit identity number stays text: as a number a spreadsheet would show 1.40702E+17.
  EXPECT_EQ(sheet.find("<v>140702199003071238</v>"), std::string::npos);
  EXPECT_TRUE(Contains(sheet, ">140702199003071238</t>"));
  EXPECT_TRUE(Contains(part("xl/workbook.xml"), "name=\"签到\""));
}

TEST_F(XlsxExport, LeadingZerosAndHeaderNumbersStayText) {
  std::string sheet = sheet_of(to_xlsx("s", {{"2026", "编号"}, {"0354", "007"}}));
  EXPECT_TRUE(Contains(sheet, ">2026</t>")) << "header cells are text";
  EXPECT_TRUE(Contains(sheet, ">0354</t>")) << "a phone area code keeps its zero";
  EXPECT_TRUE(Contains(sheet, ">007</t>"));
}

TEST_F(XlsxExport, ControlCharactersDoNotBreakTheSheet) {
  std::string sheet = sheet_of(to_xlsx("s", {{"h"}, {std::string("a\x01") + "b\x1f" + "c"}}));
  EXPECT_TRUE(well_formed(sheet));
  EXPECT_TRUE(Contains(sheet, ">abc</t>"));
}

TEST_F(XlsxExport, ColumnsBeyondZAreNamedAA) {
  std::vector<std::string> header, row;
  for (int i = 0; i < 30; ++i) {
    header.push_back("h" + std::to_string(i));
    row.push_back(std::to_string(i + 1));
  }
  std::string sheet = sheet_of(to_xlsx("s", {header, row}));
  EXPECT_TRUE(Contains(sheet, "<c r=\"Z2\"><v>26</v></c>"));
  EXPECT_TRUE(Contains(sheet, "<c r=\"AA2\"><v>27</v></c>"));
  EXPECT_TRUE(Contains(sheet, "<c r=\"AD1\" t=\"inlineStr\">"));
}

TEST_F(XlsxExport, ManyRowsStayAValidZip) {
  Table t = {{"id", "姓名", "体温"}};
  for (int i = 0; i < 3000; ++i) t.push_back({std::to_string(i + 1), "居民" + std::to_string(i), "36.6"});
  std::string sheet = sheet_of(to_xlsx("s", t));
  EXPECT_TRUE(Contains(sheet, "<c r=\"A3001\"><v>3000</v></c>"));
  EXPECT_TRUE(Contains(sheet, ">居民2999</t>"));
}

TEST_F(XlsxExport, LongChineseSheetNameIsCutOnACharacterBoundary) {
  // 11 Chinese characters are 33 bytes; cutting at 31 bytes would split a
  // character and leave invalid UTF-8, which spreadsheet programs refuse.
  const std::string name = "晋中市民之家入口签到记录表";
  sheet_of(to_xlsx(name, {{"a"}}));
  std::string wb = part("xl/workbook.xml");
  EXPECT_TRUE(valid_utf8(wb)) << "xl/workbook.xml must be UTF-8";
  EXPECT_TRUE(well_formed(wb)) << "xl/workbook.xml must be well-formed XML";
  auto at = wb.find("name=\"");
  ASSERT_NE(at, std::string::npos);
  std::string shown = wb.substr(at + 6, wb.find('"', at + 6) - at - 6);
  EXPECT_FALSE(shown.empty());
  EXPECT_EQ(name.rfind(shown, 0), 0u) << "a prefix of the name";
  EXPECT_EQ(shown.size() % 3, 0u) << "whole 3-byte characters only: " << shown.size() << " bytes";
}

// --- table_response --------------------------------------------------------------

TEST(TableResponse, CsvAttachment) {
  Table t = {{"a", "b"}, {"1", "2"}};
  Response r = table_response(t, "csv", "checkins-7-2026-11-18");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Contains(r.content_type, "text/csv"));
  EXPECT_TRUE(Contains(r.content_type, "utf-8"));
  EXPECT_EQ(r.body, to_csv(t));
  bool found = false;
  for (const auto& [k, v] : r.headers)
    if (k == "Content-Disposition") {
      found = true;
      EXPECT_TRUE(Contains(v, "attachment"));
      EXPECT_TRUE(Contains(v, "filename=\"checkins-7-2026-11-18.csv\""));
    }
  EXPECT_TRUE(found);
}

TEST(TableResponse, XlsxAttachment) {
  Table t = {{"a", "b"}, {"1", "2"}};
  Response r = table_response(t, "xlsx", "checkins-7");
  EXPECT_EQ(r.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(r.body.rfind("PK\x03\x04", 0), 0u);
  EXPECT_EQ(r.body, to_xlsx("checkins-7", t));
  bool found = false;
  for (const auto& [k, v] : r.headers)
    if (k == "Content-Disposition") {
      found = true;
      EXPECT_TRUE(Contains(v, "attachment"));
      EXPECT_TRUE(Contains(v, "filename=\"checkins-7.xlsx\""));
    }
  EXPECT_TRUE(found);
}

TEST(TableResponse, UnknownFormatIsInvalid) {
  for (const char* f : {"pdf", "", "xls", "json"}) {
    std::string msg = epinet::testing::error_message([&] { table_response({{"a"}}, f, "x"); });
    EXPECT_TRUE(Contains(msg, "csv")) << f;
  }
}

}  // namespace
}  // namespace epinet::http
