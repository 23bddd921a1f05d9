#include "core/table_file.h"

#include <gtest/gtest.h>
#include <iconv.h>
#include <zlib.h>

#include <map>
#include <string>
#include <vector>

#include "core/error.h"

namespace epinet {
namespace {

using Cells = std::vector<std::string>;

std::string encode(const std::string& utf8, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  std::string out(utf8.size() * 4 + 8, '\0');
  char* src = const_cast<char*>(utf8.data());
  size_t src_left = utf8.size(), dst_left = out.size();
  char* dst = out.data();
  iconv(cd, &src, &src_left, &dst, &dst_left);
  iconv_close(cd);
  out.resize(out.size() - dst_left);
  return out;
}

std::string invalid_code(std::string_view bytes) {
  try {
    read_table_file(bytes);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalid);
    return std::string(e.code()) + ": " + e.what();
  }
  return "accepted";
}

// ---- CSV

TEST(TableFileCsv, ReadsUtf8WithBomQuotesAndLineNumbers) {
  std::string csv =
      "\xEF\xBB\xBF"
      "姓名,身份证号,备注\r\n"
      "张三,11010519491231002X,\"住 3 号楼, 2 单元\"\r\n"
      "\r\n"
      ",,\r\n"
      "李四, 14070219900101123x ,\"第一行\n第二行\"\r\n"
      "王五,140702199001011234,\"他说\"\"好\"\"\"\r\n";
  auto t = read_table_file(csv);
  EXPECT_EQ(t.format, TableFormat::kCsv);
  EXPECT_EQ(t.encoding, "utf-8");
  EXPECT_EQ(t.header, (Cells{"姓名", "身份证号", "备注"}));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].line, 2);
  EXPECT_EQ(t.rows[0].cells, (Cells{"张三", "11010519491231002X", "住 3 号楼, 2 单元"}));
  // Empty rows are dropped but still counted: the user's line numbers hold.
  EXPECT_EQ(t.rows[1].line, 5);
  EXPECT_EQ(t.rows[1].cells, (Cells{"李四", "14070219900101123x", "第一行\n第二行"}));
  EXPECT_EQ(t.rows[2].line, 7);
  EXPECT_EQ(t.rows[2].cells[2], "他说\"好\"");
}

TEST(TableFileCsv, DecodesGbkFromExcel) {
  std::string csv = encode("姓名,联系电话,来自\n张三,13800138000,北京市朝阳区\n", "GBK");
  ASSERT_NE(csv, "姓名");  // really re-encoded
  auto t = read_table_file(csv);
  EXPECT_EQ(t.encoding, "gb18030");
  EXPECT_EQ(t.header, (Cells{"姓名", "联系电话", "来自"}));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].cells, (Cells{"张三", "13800138000", "北京市朝阳区"}));
}

TEST(TableFileCsv, ReadsExcelUnicodeTextAndOtherSeparators) {
  std::string utf16 = "\xFF\xFE" + encode("姓名\t电话\n张三\t138\n", "UTF-16LE");
  auto t = read_table_file(utf16);
  EXPECT_EQ(t.header, (Cells{"姓名", "电话"}));
  EXPECT_EQ(t.rows.at(0).cells, (Cells{"张三", "138"}));

  auto semi = read_table_file("name;phone\nA;1\n");
  EXPECT_EQ(semi.header, (Cells{"name", "phone"}));
  EXPECT_EQ(semi.rows.at(0).cells, (Cells{"A", "1"}));
}

TEST(TableFileCsv, TrimsIdeographicSpaces) {
  auto t = read_table_file("a,b\n\xE3\x80\x80张三\xE3\x80\x80, x \n");
  EXPECT_EQ(t.rows.at(0).cells, (Cells{"张三", "x"}));
}

TEST(TableFileCsv, RefusesWhatCannotBeRead) {
  EXPECT_EQ(invalid_code(""), "invalid_file: the file is empty");
  EXPECT_EQ(invalid_code("\n\n , \n"), "invalid_file: the file has no rows");
  EXPECT_NE(invalid_code("a,b\n\"never closed,1\n").find("never closed"), std::string::npos);
  EXPECT_NE(invalid_code(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + "rest").find(".xls"), std::string::npos);
  // Neither UTF-8 nor GB18030: a lone lead byte at the end.
  EXPECT_NE(invalid_code("a,b\nx,\x81").find("neither UTF-8 nor GBK"), std::string::npos);
}

TEST(TableFileCsv, SplitsOneRecord) {
  EXPECT_EQ(split_csv_record("a, \"b,c\" ,d"), (Cells{"a", "b,c", "d"}));
  EXPECT_EQ(split_csv_record(""), (Cells{""}));
  EXPECT_EQ(split_csv_record("x,"), (Cells{"x", ""}));
}

// ---- XLSX, built here the way Excel lays it out (shared strings, styles, deflate)

void put16(std::string& s, uint32_t v) { s += static_cast<char>(v & 0xFF), s += static_cast<char>((v >> 8) & 0xFF); }
void put32(std::string& s, uint32_t v) { put16(s, v & 0xFFFF), put16(s, v >> 16); }

std::string zip(const std::map<std::string, std::string>& files, bool deflated) {
  std::string out, central;
  for (const auto& [name, data] : files) {
    std::string packed = data;
    if (deflated) {
      z_stream z{};
      deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
      packed.assign(deflateBound(&z, data.size()), '\0');
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
      z.avail_in = static_cast<uInt>(data.size());
      z.next_out = reinterpret_cast<Bytef*>(packed.data());
      z.avail_out = static_cast<uInt>(packed.size());
      deflate(&z, Z_FINISH);
      packed.resize(z.total_out);
      deflateEnd(&z);
    }
    uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    uint32_t offset = static_cast<uint32_t>(out.size());
    put32(out, 0x04034b50), put16(out, 20), put16(out, 0), put16(out, deflated ? 8 : 0), put32(out, 0), put32(out, crc);
    put32(out, static_cast<uint32_t>(packed.size())), put32(out, static_cast<uint32_t>(data.size()));
    put16(out, static_cast<uint32_t>(name.size())), put16(out, 0);
    out += name + packed;
    put32(central, 0x02014b50), put16(central, 20), put16(central, 20), put16(central, 0), put16(central, deflated ? 8 : 0);
    put32(central, 0), put32(central, crc), put32(central, static_cast<uint32_t>(packed.size()));
    put32(central, static_cast<uint32_t>(data.size())), put16(central, static_cast<uint32_t>(name.size()));
    put16(central, 0), put16(central, 0), put16(central, 0), put16(central, 0), put32(central, 0), put32(central, offset);
    central += name;
  }
  uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50), put16(out, 0), put16(out, 0), put16(out, static_cast<uint32_t>(files.size()));
  put16(out, static_cast<uint32_t>(files.size())), put32(out, static_cast<uint32_t>(central.size()));
  put32(out, cd_offset), put16(out, 0);
  return out;
}

std::map<std::string, std::string> excel_like_workbook() {
  const std::string ns = R"( xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main")";
  const std::string rns = R"( xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships")";
  return {
      {"[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"},
      {"xl/workbook.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook" + ns + rns +
                              "><workbookPr/><sheets><sheet name=\"名单\" sheetId=\"1\" r:id=\"rId7\"/>"
                              "<sheet name=\"说明\" sheetId=\"2\" r:id=\"rId8\"/></sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<Relationships><Relationship Id=\"rId8\" Target=\"worksheets/sheet2.xml\"/>"
       "<Relationship Id=\"rId7\" Type=\"x\" Target=\"worksheets/sheet9.xml\"/></Relationships>"},
      {"xl/sharedStrings.xml", "<sst" + ns + " count=\"6\" uniqueCount=\"6\">"
                               "<si><t>姓名</t></si><si><t>身份证号</t></si><si><t>到达日期</t></si>"
                               "<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space=\"preserve\">三 </t></r>"
                               "<rPh sb=\"0\" eb=\"1\"><t>ZHANG</t></rPh></si>"
                               "<si><t>A&amp;B &lt;1&gt; &#x4E2D;</t></si><si/></sst>"},
      {"xl/styles.xml", "<styleSheet" + ns + "><numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"yyyy/m/d\"/>"
                        "<numFmt numFmtId=\"165\" formatCode=\"&quot;¥&quot;#,##0.00\"/></numFmts>"
                        "<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\" applyNumberFormat=\"1\"/>"
                        "<xf numFmtId=\"22\"/><xf numFmtId=\"165\"/><xf numFmtId=\"49\"/></cellXfs></styleSheet>"},
      {"xl/worksheets/sheet9.xml",
       "<worksheet" + ns + "><sheetData>"
       "<row r=\"1\" spans=\"1:5\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
       "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"inlineStr\"><is><t>电话</t></is></c><c r=\"E1\"><v>5</v></c></row>"
       "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c><c r=\"B2\" t=\"str\"><v>11010519491231002x</v></c>"
       "<c r=\"C2\" s=\"1\"><v>44411</v></c><c r=\"D2\"><v>13800138000</v></c><c r=\"E2\" s=\"3\"><v>1.5</v></c></row>"
       "<row r=\"4\"><c r=\"A4\" t=\"s\"><v>4</v></c><c r=\"C4\" s=\"2\"><v>44411.604166666664</v></c>"
       "<c r=\"D4\" t=\"b\"><v>1</v></c><c r=\"E4\"><v>0.1</v></c></row>"
       "<row r=\"5\"><c r=\"A5\" s=\"1\"/><c r=\"B5\" t=\"s\"><v>5</v></c></row>"
       "<row r=\"6\"><c r=\"F6\" t=\"e\"><v>#N/A</v></c></row>"
       "</sheetData></worksheet>"},
      {"xl/worksheets/sheet2.xml", "<worksheet" + ns + "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>"
                                                       "wrong sheet</t></is></c></row></sheetData></worksheet>"},
  };
}

TEST(TableFileXlsx, ReadsTheFirstSheetAsExcelWritesIt) {
  for (bool deflate : {true, false}) {
    SCOPED_TRACE(deflate ? "deflated" : "stored");
    auto t = read_table_file(zip(excel_like_workbook(), deflate));
    EXPECT_EQ(t.format, TableFormat::kXlsx);
    EXPECT_EQ(t.header, (Cells{"姓名", "身份证号", "到达日期", "电话", "5"}));
    ASSERT_EQ(t.rows.size(), 3u);
    EXPECT_EQ(t.rows[0].line, 2);
    // Rich text joined, phonetic runs dropped; a long number without ".0" or an exponent.
    EXPECT_EQ(t.rows[0].cells, (Cells{"张三", "11010519491231002x", "2021-08-03", "13800138000", "1.5"}));
    EXPECT_EQ(t.rows[1].line, 4);
    EXPECT_EQ(t.rows[1].cells, (Cells{"A&B <1> 中", "", "2021-08-03T14:30:00", "TRUE", "0.1"}));
    // A row of an empty shared string and an empty styled cell is empty: dropped. Row 6 keeps the error text.
    EXPECT_EQ(t.rows[2].line, 6);
    EXPECT_EQ(cell(t.rows[2], 5), "#N/A");
    EXPECT_EQ(cell(t.rows[2], 9), "");
  }
}

TEST(TableFileXlsx, FallsBackToSheetOneWithoutAWorkbook) {
  auto files = excel_like_workbook();
  files.erase("xl/workbook.xml");
  files["xl/worksheets/sheet1.xml"] = files["xl/worksheets/sheet9.xml"];
  auto t = read_table_file(zip(files, true));
  EXPECT_EQ(t.header.at(0), "姓名");
}

TEST(TableFileXlsx, RefusesDamagedFiles) {
  std::string good = zip(excel_like_workbook(), true);
  EXPECT_NE(invalid_code(good.substr(0, good.size() / 2)).find("damaged"), std::string::npos);
  std::string flipped = good;
  size_t sheet = flipped.find("xl/worksheets/sheet9.xml") + 24 + 20;  // inside the sheet's deflated data
  flipped[sheet] = static_cast<char>(flipped[sheet] ^ 0x5A);
  EXPECT_NE(invalid_code(flipped), "accepted");
  auto no_sheet = excel_like_workbook();
  no_sheet.erase("xl/worksheets/sheet9.xml");
  no_sheet.erase("xl/workbook.xml");
  EXPECT_NE(invalid_code(zip(no_sheet, false)).find("no worksheet"), std::string::npos);
}

TEST(TableFileColumns, FindsColumnsByAnyOfTheirNames) {
  Cells header{"序号", "ID_Number", "姓名"};
  EXPECT_EQ(find_column(header, {"身份证号", "id_number"}), 1u);
  EXPECT_EQ(find_column(header, {"name", "姓名"}), 2u);
  EXPECT_EQ(find_column(header, {"phone"}), std::nullopt);
}

}  // namespace
}  // namespace epinet
