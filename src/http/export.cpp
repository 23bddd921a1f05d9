#include "http/export.h"

#include <zlib.h>

#include "core/error.h"

namespace epinet::http {

namespace {
// "-5", "36.5": a number, not a formula.
bool plain_number(const std::string& v) {
  size_t i = !v.empty() && v[0] == '-' ? 1 : 0;
  if (i == v.size()) return false;
  for (; i < v.size(); ++i)
    if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '.')) return false;
  return true;
}
}  // namespace

std::string to_csv(const Table& t) {
  std::string out = "\xEF\xBB\xBF";
  for (const auto& row : t) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      const std::string& v = row[i];
      // Cells that a spreadsheet would run as a formula are quoted with a
      // leading apostrophe (CSV injection).
      bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' ||
                                    v[0] == '\r') && !plain_number(v);
      if (formula || v.find_first_of(",\"\r\n") != std::string::npos) {
        out += '"';
        if (formula) out += '\'';
        for (char c : v) {
          if (c == '"') out += '"';
          out += c;
        }
        out += '"';
      } else {
        out += v;
      }
    }
    out += "\r\n";
  }
  return out;
}

namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;  // not allowed in XML 1.0
        out += static_cast<char>(c);
    }
  }
  return out;
}

std::string column_name(size_t i) {
  std::string s;
  for (++i; i; i = (i - 1) / 26) s.insert(s.begin(), static_cast<char>('A' + (i - 1) % 26));
  return s;
}

bool numeric(const std::string& v) {
  if (v.empty() || v.size() > 15) return false;
  size_t i = v[0] == '-' ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < v.size(); ++i) {
    if (v[i] >= '0' && v[i] <= '9') digits = true;
    else if (v[i] == '.' && !dot) dot = true;
    else return false;
  }
  return digits && !(v.size() > 1 && v[0] == '0' && v[1] != '.');
}

void put16(std::string& s, uint32_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& s, uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}

std::string deflate_raw(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A zip archive of deflated files.
std::string zip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out, central;
  for (const auto& [name, data] : files) {
    uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    std::string packed = deflate_raw(data);
    uint32_t offset = static_cast<uint32_t>(out.size());
    auto header = [&](std::string& s, bool central_entry) {
      put32(s, central_entry ? 0x02014b50 : 0x04034b50);
      if (central_entry) put16(s, 20);
      put16(s, 20);                 // version needed
      put16(s, 0x0800);             // UTF-8 names
      put16(s, 8);                  // deflate
      put16(s, 0);                  // time
      put16(s, 0x21);               // date 1980-01-01
      put32(s, crc);
      put32(s, static_cast<uint32_t>(packed.size()));
      put32(s, static_cast<uint32_t>(data.size()));
      put16(s, static_cast<uint32_t>(name.size()));
      put16(s, 0);                  // extra
      if (central_entry) {
        put16(s, 0);                // comment
        put16(s, 0);                // disk
        put16(s, 0);                // internal attributes
        put32(s, 0);                // external attributes
        put32(s, offset);
      }
      s += name;
    };
    header(out, false);
    out += packed;
    header(central, true);
  }
  uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint32_t>(files.size()));
  put16(out, static_cast<uint32_t>(files.size()));
  put32(out, static_cast<uint32_t>(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

// Excel's sheet names: at most 31 characters (not bytes), none of []:*?/\.
std::string sheet_title(const std::string& name) {
  std::string out;
  int chars = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char && ++chars > 31) break;
    out += std::string_view("[]:*?/\\").find(static_cast<char>(c)) == std::string_view::npos ? static_cast<char>(c) : '_';
  }
  return out.empty() ? "Sheet1" : out;
}

}  // namespace

std::string to_xlsx(const std::string& sheet_name, const Table& t) {
  std::string sheet =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>";
  for (size_t r = 0; r < t.size(); ++r) {
    sheet += "<row r=\"" + std::to_string(r + 1) + "\">";
    for (size_t c = 0; c < t[r].size(); ++c) {
      std::string ref = column_name(c) + std::to_string(r + 1);
      const std::string& v = t[r][c];
      if (r > 0 && numeric(v))
        sheet += "<c r=\"" + ref + "\"><v>" + v + "</v></c>";
      else
        sheet += "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" + xml_escape(v) + "</t></is></c>";
    }
    sheet += "</row>";
  }
  sheet += "</sheetData></worksheet>";
  std::vector<std::pair<std::string, std::string>> files = {
      {"[Content_Types].xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
       "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
       "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
       "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
       "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
       "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
       "</Types>"},
      {"_rels/.rels",
       "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
       "</Relationships>"},
      {"xl/workbook.xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
       "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
       "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
       "<sheets><sheet name=\"" + xml_escape(sheet_title(sheet_name)) + "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
       "</Relationships>"},
      {"xl/worksheets/sheet1.xml", sheet},
  };
  return zip(files);
}

Response table_response(const Table& t, const std::string& format, const std::string& stem) {
  Response r;
  if (format == "csv") {
    r.content_type = "text/csv; charset=utf-8";
    r.body = to_csv(t);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + stem + ".csv\"");
  } else if (format == "xlsx") {
    r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    r.body = to_xlsx(stem, t);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + stem + ".xlsx\"");
  } else {
    throw invalid("invalid_query", "format must be csv or xlsx");
  }
  return r;
}

void require_table_upload(const Request& req) {
  const std::string& t = req.content_type;
  for (const char* ok : {"text/csv", "text/plain", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         "application/octet-stream"})
    if (t.rfind(ok, 0) == 0) return;
  throw Error(ErrorKind::kInvalid, "unsupported_media_type",
              "send the file as the request body: text/csv or an XLSX (application/vnd.openxmlformats-officedocument."
              "spreadsheetml.sheet)");
}

}  // namespace epinet::http
