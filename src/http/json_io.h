// Reading request bodies and writing records: one JSON codec style for the API.
#pragma once
#include <boost/json.hpp>
#include <optional>
#include <string>

#include "http/router.h"
#include "store/records.h"

namespace epinet::http {
namespace json = boost::json;

// Parses a JSON object body; 400 invalid_json otherwise. Rejects fields not in
// `allowed` with 400 invalid_field, so that a typo does not pass silently.
json::object parse_body(const Request& req, std::initializer_list<std::string_view> allowed);

std::optional<std::string> opt_string(const json::object& o, std::string_view key, size_t max_len = 1000);
std::optional<int64_t> opt_int(const json::object& o, std::string_view key);
std::optional<bool> opt_bool(const json::object& o, std::string_view key);
// Present-and-null → optional holding nullopt; absent → nullopt.
std::optional<std::optional<int64_t>> opt_nullable_int(const json::object& o, std::string_view key);

// Query string helpers: 400 when malformed.
store::Page page_of(const Request& req);
std::optional<int64_t> query_int(const Request& req, const std::string& key);
std::string query_str(const Request& req, const std::string& key);
std::optional<Millis> query_time(const Request& req, const std::string& key);
// A body field holding an ISO 8601 time: absent → nullopt (or 400 missing_field
// for the required form); malformed → 400 invalid_field.
std::optional<Millis> body_time(const json::object& o, std::string_view key);
Millis required_body_time(const json::object& o, std::string_view key);

json::object to_json(const store::Division& d);
json::object to_json(const store::Venue& v);
json::object to_json(const store::User& u);
json::object to_json(const store::AuditEntry& e);

template <class T>
Response page_response(const store::PageOf<T>& page, const store::Page& p) {
  json::array items;
  for (const auto& x : page.items) items.push_back(to_json(x));
  return json_response(200, json::serialize(json::object{
                                {"items", std::move(items)}, {"total", page.total}, {"page", p.page}, {"page_size", p.page_size}}));
}
inline Response object_response(int status, const json::object& o) { return json_response(status, json::serialize(o)); }

}  // namespace epinet::http
