// Tables for download: CSV (UTF-8 with BOM, so that Excel shows Chinese) and
// XLSX (Office Open XML, written directly: one sheet, shared nothing).
#pragma once
#include <string>
#include <vector>

#include "http/router.h"

namespace epinet::http {

using Table = std::vector<std::vector<std::string>>;  // first row: header

std::string to_csv(const Table& t);
std::string to_xlsx(const std::string& sheet_name, const Table& t);
// Responds with the table as ?format=csv|xlsx (attachment named `stem`).
Response table_response(const Table& t, const std::string& format, const std::string& stem);

// Uploads of tables (read with epinet::read_table_file, core/table_file.h) come
// as the raw body: text/csv, the XLSX media type or application/octet-stream.
// Throws Error(kInvalid, "unsupported_media_type") for anything else.
void require_table_upload(const Request& req);

}  // namespace epinet::http
