#include "core/table_file.h"

#include <iconv.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>

#include "core/error.h"
#include "core/time.h"

namespace epinet {
namespace {

Error bad_file(const std::string& message) { return invalid("invalid_file", message); }

// ---------------------------------------------------------------- text

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

std::string convert(std::string_view in, const char* from) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) throw bad_file(std::string("cannot decode ") + from);
  std::string out(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  while (src_left > 0) {
    size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      size_t used = out.size() - dst_left;
      out.resize(out.size() * 2);
      dst = out.data() + used;
      dst_left = out.size() - used;
      continue;
    }
    iconv_close(cd);
    size_t at = in.size() - src_left;
    throw bad_file("the file is neither UTF-8 nor GBK text (unreadable bytes at offset " + std::to_string(at) + ")");
  }
  iconv_close(cd);
  out.resize(out.size() - dst_left);
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string trim(std::string s) {
  // ASCII white space, and the ideographic space U+3000 that Chinese input leaves behind.
  static const std::string kIdeographic = "\xE3\x80\x80";
  for (;;) {
    if (!s.empty() && is_space(s.back())) s.pop_back();
    else if (s.size() >= 3 && s.compare(s.size() - 3, 3, kIdeographic) == 0) s.resize(s.size() - 3);
    else break;
  }
  size_t b = 0;
  for (;;) {
    if (b < s.size() && is_space(s[b])) ++b;
    else if (s.compare(b, 3, kIdeographic) == 0) b += 3;
    else break;
  }
  return s.substr(b);
}

bool all_empty(const std::vector<std::string>& cells) {
  return std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return c.empty(); });
}

void finish(TableFile& t, std::vector<TableRow> rows) {
  bool have_header = false;
  for (auto& r : rows) {
    for (auto& c : r.cells) c = trim(std::move(c));
    if (all_empty(r.cells)) continue;
    if (!have_header) {
      t.header = std::move(r.cells);
      while (!t.header.empty() && t.header.back().empty()) t.header.pop_back();
      have_header = true;
    } else {
      t.rows.push_back(std::move(r));
    }
  }
  if (!have_header) throw bad_file("the file has no rows");
}

// ---------------------------------------------------------------- CSV

std::vector<TableRow> parse_csv(std::string_view text, char sep) {
  std::vector<TableRow> rows;
  TableRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool quoted = false, field_started = false;
  auto end_field = [&] {
    row.cells.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (ch == '"') quoted = false;
      else {
        if (ch == '\n') ++line;
        field += ch;
      }
    } else if (ch == '"' && !field_started && trim(field).empty()) {
      field.clear();
      quoted = true;
      field_started = true;
    } else if (ch == sep) {
      end_field();
    } else if (ch == '\n') {
      end_field();
      rows.push_back(std::move(row));
      row = TableRow{};
      row.line = ++line;
    } else if (ch != '\r') {
      field += ch;
      if (!is_space(ch)) field_started = true;
    }
  }
  if (quoted) throw bad_file("a quoted field that starts on line " + std::to_string(row.line) + " is never closed");
  if (!field.empty() || !row.cells.empty()) {
    end_field();
    rows.push_back(std::move(row));
  }
  return rows;
}

char guess_separator(std::string_view text) {
  std::string_view first = text.substr(0, text.find('\n'));
  if (first.find(',') != std::string_view::npos) return ',';
  if (first.find(';') != std::string_view::npos) return ';';
  if (first.find('\t') != std::string_view::npos) return '\t';
  return ',';
}

TableFile read_csv(std::string_view bytes) {
  TableFile t;
  t.format = TableFormat::kCsv;
  std::string text;
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF && static_cast<unsigned char>(bytes[1]) == 0xFE) {
    text = convert(bytes.substr(2), "UTF-16LE");  // Excel's "Unicode text"
    t.encoding = "utf-16";
  } else if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    text = std::string(bytes.substr(3));
    t.encoding = "utf-8";
  } else if (valid_utf8(bytes)) {
    text = std::string(bytes);
    t.encoding = "utf-8";
  } else {
    text = convert(bytes, "GB18030");
    t.encoding = "gb18030";
  }
  finish(t, parse_csv(text, guess_separator(text)));
  return t;
}

// ---------------------------------------------------------------- zip

uint32_t le16(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8;
}
uint32_t le32(std::string_view b, size_t at) { return le16(b, at) | le16(b, at + 2) << 16; }

class Zip {
 public:
  explicit Zip(std::string_view bytes) : b_(bytes) {
    if (b_.size() < 22) throw broken();
    size_t eocd = std::string_view::npos;
    for (size_t i = b_.size() - 22 + 1; i-- > 0 && b_.size() - i <= 22 + 65535;)
      if (le32(b_, i) == 0x06054b50) {
        eocd = i;
        break;
      }
    if (eocd == std::string_view::npos) throw broken();
    size_t count = le16(b_, eocd + 10), at = le32(b_, eocd + 16);
    for (size_t k = 0; k < count; ++k) {
      if (at + 46 > b_.size() || le32(b_, at) != 0x02014b50) throw broken();
      Entry e;
      e.method = le16(b_, at + 10);
      e.crc = le32(b_, at + 16);
      e.packed = le32(b_, at + 20);
      e.size = le32(b_, at + 24);
      size_t name_len = le16(b_, at + 28), extra = le16(b_, at + 30), comment = le16(b_, at + 32);
      e.local = le32(b_, at + 42);
      if (at + 46 + name_len > b_.size()) throw broken();
      entries_[std::string(b_.substr(at + 46, name_len))] = e;
      at += 46 + name_len + extra + comment;
    }
  }

  bool has(const std::string& name) const { return entries_.count(name) > 0; }

  std::string read(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw bad_file("the XLSX file has no " + name);
    const Entry& e = it->second;
    if (e.local + 30 > b_.size() || le32(b_, e.local) != 0x04034b50) throw broken();
    size_t data = e.local + 30 + le16(b_, e.local + 26) + le16(b_, e.local + 28);
    if (data + e.packed > b_.size()) throw broken();
    std::string_view packed = b_.substr(data, e.packed);
    if (e.method == 0) return checked(std::string(packed), e);
    if (e.method != 8) throw bad_file("the XLSX file uses a compression method epinet cannot read");
    if (e.size > (256u << 20)) throw bad_file("a part of the XLSX file is larger than 256 MiB");
    std::string out(e.size, '\0');
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) throw broken();
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
    z.avail_in = static_cast<uInt>(packed.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int r = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    if (r != Z_STREAM_END || z.total_out != e.size) throw broken();
    return checked(std::move(out), e);
  }

 private:
  struct Entry {
    uint32_t method = 0, crc = 0, packed = 0, size = 0, local = 0;
  };
  static std::string checked(std::string data, const Entry& e) {
    auto crc = crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
    if (static_cast<uint32_t>(crc) != e.crc) throw broken();
    return data;
  }
  static Error broken() { return bad_file("the file looks like an XLSX (zip) file but is damaged"); }
  std::string_view b_;
  std::map<std::string, Entry> entries_;
};

// ---------------------------------------------------------------- XML

// A forward-only reader of the XML that spreadsheet programs write: elements,
// attributes and text; no DTDs. Enough for workbook, sheet, styles and strings.
class Xml {
 public:
  explicit Xml(std::string_view s) : s_(s) {}

  enum Kind { kOpen, kClose, kText, kEnd };
  struct Token {
    Kind kind = kEnd;
    std::string_view name;  // local name (prefix dropped)
    bool self_closing = false;
    std::string_view raw;  // attributes (kOpen) or text (kText)
  };

  Token next() {
    Token t;
    while (pos_ < s_.size()) {
      if (s_[pos_] != '<') {
        size_t end = s_.find('<', pos_);
        if (end == std::string_view::npos) end = s_.size();
        t.kind = kText;
        t.raw = s_.substr(pos_, end - pos_);
        pos_ = end;
        return t;
      }
      if (s_.compare(pos_, 4, "<!--") == 0) {
        pos_ = skip_to(pos_, "-->");
        continue;
      }
      if (s_.compare(pos_, 9, "<![CDATA[") == 0) {
        size_t end = s_.find("]]>", pos_);
        if (end == std::string_view::npos) end = s_.size();
        t.kind = kText;
        t.raw = s_.substr(pos_ + 9, end - pos_ - 9);
        cdata_ = true;
        pos_ = std::min(s_.size(), end + 3);
        return t;
      }
      if (s_.compare(pos_, 2, "<?") == 0 || s_.compare(pos_, 2, "<!") == 0) {
        pos_ = skip_to(pos_, ">");
        continue;
      }
      size_t end = s_.find('>', pos_);
      if (end == std::string_view::npos) throw bad_file("the XLSX file has broken XML");
      std::string_view body = s_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      if (!body.empty() && body[0] == '/') {
        t.kind = kClose;
        t.name = local(body.substr(1, body.find_first_of(" \t\r\n", 1) - 1));
        return t;
      }
      t.kind = kOpen;
      if (!body.empty() && body.back() == '/') {
        t.self_closing = true;
        body.remove_suffix(1);
      }
      size_t sp = body.find_first_of(" \t\r\n");
      t.name = local(body.substr(0, sp));
      t.raw = sp == std::string_view::npos ? std::string_view{} : body.substr(sp);
      return t;
    }
    return t;
  }

  bool last_text_was_cdata() {
    bool c = cdata_;
    cdata_ = false;
    return c;
  }

  static std::string_view local(std::string_view name) {
    size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
  }

  // The value of attribute `name` (exact, prefix included) in an open tag's raw text.
  static std::optional<std::string> attr(std::string_view raw, std::string_view name) {
    size_t i = 0;
    while (i < raw.size()) {
      while (i < raw.size() && is_space(raw[i])) ++i;
      size_t eq = raw.find('=', i);
      if (eq == std::string_view::npos) break;
      std::string_view key = raw.substr(i, eq - i);
      while (!key.empty() && is_space(key.back())) key.remove_suffix(1);
      size_t q = raw.find_first_of("\"'", eq);
      if (q == std::string_view::npos) break;
      size_t qe = raw.find(raw[q], q + 1);
      if (qe == std::string_view::npos) break;
      if (key == name) return unescape(raw.substr(q + 1, qe - q - 1));
      i = qe + 1;
    }
    return std::nullopt;
  }

  static std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '&') {
        out += s[i];
        continue;
      }
      size_t semi = s.find(';', i);
      if (semi == std::string_view::npos) {
        out += s[i];
        continue;
      }
      std::string_view ent = s.substr(i + 1, semi - i - 1);
      if (ent == "amp") out += '&';
      else if (ent == "lt") out += '<';
      else if (ent == "gt") out += '>';
      else if (ent == "quot") out += '"';
      else if (ent == "apos") out += '\'';
      else if (!ent.empty() && ent[0] == '#') {
        unsigned long cp = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')
                               ? std::strtoul(std::string(ent.substr(2)).c_str(), nullptr, 16)
                               : std::strtoul(std::string(ent.substr(1)).c_str(), nullptr, 10);
        append_utf8(out, cp);
      } else {
        out.append(s.substr(i, semi - i + 1));
      }
      i = semi;
    }
    return out;
  }

 private:
  static void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) out += static_cast<char>(0xC0 | (cp >> 6)), out += static_cast<char>(0x80 | (cp & 0x3F));
    else if (cp < 0x10000)
      out += static_cast<char>(0xE0 | (cp >> 12)), out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
          out += static_cast<char>(0x80 | (cp & 0x3F));
    else
      out += static_cast<char>(0xF0 | (cp >> 18)), out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  size_t skip_to(size_t from, std::string_view end) const {
    size_t e = s_.find(end, from);
    return e == std::string_view::npos ? s_.size() : e + end.size();
  }
  std::string_view s_;
  size_t pos_ = 0;
  bool cdata_ = false;
};

// Text of <t> elements inside an <si> or <is>, skipping phonetic runs (<rPh>).
std::string rich_text(Xml& x, std::string_view container) {
  std::string out;
  int in_t = 0, in_rph = 0;
  for (auto t = x.next(); t.kind != Xml::kEnd; t = x.next()) {
    if (t.kind == Xml::kOpen && !t.self_closing) {
      if (t.name == "t") ++in_t;
      else if (t.name == "rPh") ++in_rph;
    } else if (t.kind == Xml::kClose) {
      if (t.name == container) break;
      if (t.name == "t") --in_t;
      else if (t.name == "rPh") --in_rph;
    } else if (t.kind == Xml::kText && in_t > 0 && in_rph == 0) {
      bool cdata = x.last_text_was_cdata();
      out += cdata ? std::string(t.raw) : Xml::unescape(t.raw);
    }
  }
  return out;
}

std::vector<std::string> shared_strings(const Zip& zip) {
  std::vector<std::string> out;
  if (!zip.has("xl/sharedStrings.xml")) return out;
  std::string text = zip.read("xl/sharedStrings.xml");
  Xml x(text);
  for (auto t = x.next(); t.kind != Xml::kEnd; t = x.next())
    if (t.kind == Xml::kOpen && t.name == "si") out.push_back(t.self_closing ? std::string() : rich_text(x, "si"));
  return out;
}

bool is_date_format_code(std::string_view code) {
  // A format is a date/time when it has y, m, d, h or s outside quotes and brackets.
  bool quoted = false, bracket = false;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c == '[') bracket = true;
    else if (c == ']') bracket = false;
    else if (bracket) continue;
    else if (c == '\\' || c == '_' || c == '*') ++i;
    else if (std::strchr("ymdhsYMDHS", c)) return true;
  }
  return false;
}

// For each cell style (cellXfs index): whether it shows a date.
std::vector<bool> date_styles(const Zip& zip) {
  std::vector<bool> out;
  if (!zip.has("xl/styles.xml")) return out;
  std::string text = zip.read("xl/styles.xml");
  Xml x(text);
  std::map<int, bool> custom;
  bool in_xfs = false;
  for (auto t = x.next(); t.kind != Xml::kEnd; t = x.next()) {
    if (t.kind == Xml::kOpen && t.name == "numFmt") {
      auto id = Xml::attr(t.raw, "numFmtId");
      auto code = Xml::attr(t.raw, "formatCode");
      if (id && code) custom[std::atoi(id->c_str())] = is_date_format_code(*code);
    } else if (t.kind == Xml::kOpen && t.name == "cellXfs") {
      in_xfs = !t.self_closing;
    } else if (t.kind == Xml::kClose && t.name == "cellXfs") {
      in_xfs = false;
    } else if (in_xfs && t.kind == Xml::kOpen && t.name == "xf") {
      int id = std::atoi(Xml::attr(t.raw, "numFmtId").value_or("0").c_str());
      bool builtin_date = (id >= 14 && id <= 22) || (id >= 45 && id <= 47) || (id >= 27 && id <= 36) ||
                          (id >= 50 && id <= 58);
      auto it = custom.find(id);
      out.push_back(it != custom.end() ? it->second : builtin_date);
    }
  }
  return out;
}

std::string first_sheet_path(const Zip& zip, bool& date1904) {
  std::string rel_id;
  if (zip.has("xl/workbook.xml")) {
    std::string wb = zip.read("xl/workbook.xml");
    Xml x(wb);
    for (auto t = x.next(); t.kind != Xml::kEnd; t = x.next()) {
      if (t.kind != Xml::kOpen) continue;
      if (t.name == "workbookPr") {
        auto v = Xml::attr(t.raw, "date1904");
        date1904 = v && (*v == "1" || *v == "true");
      } else if (t.name == "sheet" && rel_id.empty()) {
        rel_id = Xml::attr(t.raw, "r:id").value_or("");
      }
    }
  }
  if (!rel_id.empty() && zip.has("xl/_rels/workbook.xml.rels")) {
    std::string rels = zip.read("xl/_rels/workbook.xml.rels");
    Xml x(rels);
    for (auto t = x.next(); t.kind != Xml::kEnd; t = x.next()) {
      if (t.kind != Xml::kOpen || t.name != "Relationship" || Xml::attr(t.raw, "Id") != rel_id) continue;
      std::string target = Xml::attr(t.raw, "Target").value_or("");
      if (target.rfind('/', 0) == 0) return target.substr(1);
      return "xl/" + target;
    }
  }
  if (zip.has("xl/worksheets/sheet1.xml")) return "xl/worksheets/sheet1.xml";
  throw bad_file("the XLSX file has no worksheet");
}

// "B12" → column 1 (0-based); nullopt when the reference has no letters.
std::optional<size_t> column_of(std::string_view ref) {
  size_t col = 0, i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) col = col * 26 + static_cast<size_t>(ref[i] - 'A' + 1);
  if (i == 0) return std::nullopt;
  return col - 1;
}

std::string format_number(const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !std::isfinite(d)) return v;
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return buf;
}

std::string format_date(const std::string& v, bool date1904) {
  char* end = nullptr;
  double serial = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !std::isfinite(serial) || serial < 0 || serial > 2958466) return v;
  // Days since 1899-12-30 (Excel's 1900 system, its 1900-02-29 folded in for serials ≥ 61).
  long long seconds = std::llround(serial * 86400.0);
  long long days = seconds / 86400 + (date1904 ? 1462 : 0);
  long long secs = seconds % 86400;
  // Days since 1899-12-30 → since 1970-01-01.
  int64_t y;
  unsigned m, d;
  civil_from_days(days - 25569, y, m, d);
  char buf[96];
  if (secs == 0)
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  else
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                  secs / 3600, secs / 60 % 60, secs % 60);
  return buf;
}

TableFile read_xlsx(std::string_view bytes) {
  Zip zip(bytes);
  bool date1904 = false;
  std::string sheet_path = first_sheet_path(zip, date1904);
  auto strings = shared_strings(zip);
  auto dates = date_styles(zip);
  std::string sheet = zip.read(sheet_path);

  std::vector<TableRow> rows;
  Xml x(sheet);
  int next_row = 1;
  TableRow* row = nullptr;
  for (auto t = x.next(); t.kind != Xml::kEnd; t = x.next()) {
    if (t.kind == Xml::kOpen && t.name == "row") {
      auto r = Xml::attr(t.raw, "r");
      int n = r ? std::atoi(r->c_str()) : next_row;
      next_row = n + 1;
      rows.push_back(TableRow{n, {}});
      row = t.self_closing ? nullptr : &rows.back();
    } else if (t.kind == Xml::kClose && t.name == "row") {
      row = nullptr;
    } else if (row && t.kind == Xml::kOpen && t.name == "c") {
      std::string type = Xml::attr(t.raw, "t").value_or("n");
      auto ref = Xml::attr(t.raw, "r");
      int style = std::atoi(Xml::attr(t.raw, "s").value_or("0").c_str());
      size_t col = ref ? column_of(*ref).value_or(row->cells.size()) : row->cells.size();
      std::string value;
      bool have_value = false;
      if (!t.self_closing) {
        for (auto u = x.next(); u.kind != Xml::kEnd; u = x.next()) {
          if (u.kind == Xml::kClose && u.name == "c") break;
          if (u.kind == Xml::kOpen && u.name == "is" && !u.self_closing) {
            value = rich_text(x, "is");
            have_value = true;
          } else if (u.kind == Xml::kOpen && u.name == "v" && !u.self_closing) {
            auto v = x.next();
            if (v.kind == Xml::kText) {
              bool cdata = x.last_text_was_cdata();
              value = cdata ? std::string(v.raw) : Xml::unescape(v.raw);
              have_value = true;
            }
          }
        }
      }
      if (!have_value) continue;
      if (type == "s") {
        size_t i = static_cast<size_t>(std::atoll(value.c_str()));
        value = i < strings.size() ? strings[i] : std::string();
      } else if (type == "b") {
        value = value == "1" ? "TRUE" : "FALSE";
      } else if (type == "n") {
        bool is_date = style >= 0 && static_cast<size_t>(style) < dates.size() && dates[static_cast<size_t>(style)];
        value = is_date ? format_date(value, date1904) : format_number(value);
      }  // str, inlineStr, e: as written
      if (col > 16383) throw bad_file("the XLSX sheet has a cell beyond column XFD");
      if (row->cells.size() <= col) row->cells.resize(col + 1);
      row->cells[col] = std::move(value);
    }
  }
  TableFile t;
  t.format = TableFormat::kXlsx;
  t.encoding = "xlsx";
  finish(t, std::move(rows));
  return t;
}

char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ascii_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  return true;
}

}  // namespace

TableFile read_table_file(std::string_view bytes) {
  if (bytes.empty()) throw bad_file("the file is empty");
  if (bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("PK\3\4", 4)) return read_xlsx(bytes);
  if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
    throw bad_file("this is an old Excel .xls file: save it as .xlsx or CSV and upload again");
  return read_csv(bytes);
}

std::optional<size_t> find_column(const std::vector<std::string>& header, const std::vector<std::string_view>& names) {
  for (size_t i = 0; i < header.size(); ++i)
    for (auto n : names)
      if (equal_ascii_nocase(header[i], n)) return i;
  return std::nullopt;
}

const std::string& cell(const TableRow& row, size_t col) {
  static const std::string kEmpty;
  return col < row.cells.size() ? row.cells[col] : kEmpty;
}

std::vector<std::string> split_csv_record(std::string_view line, char sep) {
  auto rows = parse_csv(line, sep);
  std::vector<std::string> out = rows.empty() ? std::vector<std::string>{""} : std::move(rows[0].cells);
  for (auto& f : out) f = trim(std::move(f));
  return out;
}

}  // namespace epinet
