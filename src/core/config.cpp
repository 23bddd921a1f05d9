#include "core/config.h"

#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"

extern char** environ;

namespace epinet {
namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string expand(const std::string& value, const std::map<std::string, std::string>& all, int depth = 0) {
  if (depth > 8) throw invalid("invalid_setting", "settings refer to each other in a loop");
  std::string out;
  for (size_t i = 0; i < value.size();) {
    if (value.compare(i, 2, "${") == 0) {
      auto end = value.find('}', i);
      if (end == std::string::npos) throw invalid("invalid_setting", "unclosed ${ in setting value: " + value);
      std::string name = value.substr(i + 2, end - i - 2);
      auto it = all.find(name);
      if (it == all.end()) throw invalid("invalid_setting", "unknown setting ${" + name + "} in '" + value + "'");
      out += expand(it->second, all, depth + 1);
      i = end + 1;
    } else {
      out += value[i++];
    }
  }
  return out;
}

long to_long(const std::map<std::string, std::string>& m, const std::string& key, long lo, long hi) {
  const std::string& v = m.at(key);
  try {
    size_t pos = 0;
    long n = std::stol(v, &pos);
    if (pos != v.size() || n < lo || n > hi) throw std::out_of_range(key);
    return n;
  } catch (const std::exception&) {
    throw invalid("invalid_setting", key + " must be a whole number from " + std::to_string(lo) + " to " +
                                         std::to_string(hi) + ", not '" + v + "'");
  }
}

}  // namespace

std::map<std::string, std::string> parse_settings(const std::string& text, const std::string& origin) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0)
      throw invalid("invalid_setting", origin + ":" + std::to_string(n) + ": expected KEY=VALUE");
    out[trim(t.substr(0, eq))] = trim(t.substr(eq + 1));
  }
  return out;
}

Config load_config(const std::map<std::string, std::string>& overrides, std::string config_file) {
  auto merged = parse_settings(kDefaultsFile, "defaults");
  if (config_file.empty()) {
    if (const char* f = std::getenv("EPINET_CONFIG")) config_file = f;
  }
  if (!config_file.empty()) {
    std::ifstream f(config_file);
    if (!f) throw invalid("invalid_setting", "cannot read config file " + config_file);
    std::stringstream ss;
    ss << f.rdbuf();
    for (auto& [k, v] : parse_settings(ss.str(), config_file)) {
      if (!merged.count(k)) throw invalid("invalid_setting", config_file + ": unknown setting " + k);
      merged[k] = v;
    }
  }
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string k = kv.substr(0, eq);
    if (merged.count(k)) merged[k] = kv.substr(eq + 1);
  }
  for (auto& [k, v] : overrides) merged[k] = v;
  std::map<std::string, std::string> m;
  for (auto& [k, v] : merged) m[k] = expand(v, merged);

  Config c;
  c.raw = m;
  const std::string& listen = m.at("EPINET_LISTEN");
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw invalid("invalid_setting", "EPINET_LISTEN must be HOST:PORT, not '" + listen + "'");
  c.listen_host = listen.substr(0, colon);
  {
    std::map<std::string, std::string> p{{"EPINET_LISTEN port", listen.substr(colon + 1)}};
    c.listen_port = static_cast<uint16_t>(to_long(p, "EPINET_LISTEN port", 0, 65535));
  }
  c.data_dir = m.at("EPINET_DATA_DIR");
  c.database_url = m.at("EPINET_DATABASE_URL");
  if (c.database_url.rfind("sqlite:", 0) != 0 && c.database_url.rfind("postgresql://", 0) != 0 &&
      c.database_url.rfind("postgres://", 0) != 0)
    throw invalid("invalid_setting", "EPINET_DATABASE_URL must start with sqlite: or postgresql://");
  c.web_dir = m.at("EPINET_WEB_DIR");
  if (c.web_dir.empty()) c.web_dir = std::string(EPINET_SOURCE_DIR) + "/web/dist";
  c.demo_password = m.at("EPINET_DEMO_PASSWORD");
  c.log_level = m.at("EPINET_LOG_LEVEL");
  c.threads = static_cast<int>(to_long(m, "EPINET_THREADS", 0, 256));
  if (c.threads == 0) c.threads = std::max(1u, std::thread::hardware_concurrency());
  c.max_body_bytes = static_cast<size_t>(to_long(m, "EPINET_MAX_BODY_BYTES", 1024, 1L << 30));
  c.max_upload_bytes = static_cast<size_t>(to_long(m, "EPINET_MAX_UPLOAD_BYTES", 1024, 1L << 31));
  c.request_timeout_s = static_cast<int>(to_long(m, "EPINET_REQUEST_TIMEOUT_S", 1, 3600));
  c.shutdown_grace_s = static_cast<int>(to_long(m, "EPINET_SHUTDOWN_GRACE_S", 0, 3600));
  c.session_ttl_hours = static_cast<int>(to_long(m, "EPINET_SESSION_TTL_HOURS", 1, 24 * 30));
  c.login_max_failures = static_cast<int>(to_long(m, "EPINET_LOGIN_MAX_FAILURES", 1, 1000));
  c.login_window_s = static_cast<int>(to_long(m, "EPINET_LOGIN_WINDOW_S", 1, 86400));
  c.sqlite_synchronous = m.at("EPINET_SQLITE_SYNCHRONOUS");
  if (c.sqlite_synchronous != "FULL" && c.sqlite_synchronous != "NORMAL" && c.sqlite_synchronous != "EXTRA")
    throw invalid("invalid_setting", "EPINET_SQLITE_SYNCHRONOUS must be FULL, EXTRA or NORMAL");
  c.db_pool_size = static_cast<int>(to_long(m, "EPINET_DB_POOL_SIZE", 1, 256));
  c.health_code_rules = m.at("EPINET_HEALTH_CODE_RULES");
  c.code_ttl_s = static_cast<int>(to_long(m, "EPINET_CODE_TTL_S", 10, 86400));
  c.travel_window_days = static_cast<int>(to_long(m, "EPINET_TRAVEL_WINDOW_DAYS", 1, 60));
  {
    const std::string& v = m.at("EPINET_FEVER_THRESHOLD_C");
    try {
      size_t pos = 0;
      c.fever_threshold_c = std::stod(v, &pos);
      if (pos != v.size() || c.fever_threshold_c < 36.0 || c.fever_threshold_c > 40.0) throw std::out_of_range(v);
    } catch (const std::exception&) {
      throw invalid("invalid_setting", "EPINET_FEVER_THRESHOLD_C must be a temperature from 36.0 to 40.0, not '" + v + "'");
    }
  }
  c.risk_high_to_medium_days = static_cast<int>(to_long(m, "EPINET_RISK_HIGH_TO_MEDIUM_DAYS", 1, 60));
  c.risk_medium_to_low_days = static_cast<int>(to_long(m, "EPINET_RISK_MEDIUM_TO_LOW_DAYS", 1, 60));
  c.risk_from_high_to_low_days = static_cast<int>(to_long(m, "EPINET_RISK_FROM_HIGH_TO_LOW_DAYS", 0, 60));
  c.retention_days = static_cast<int>(to_long(m, "EPINET_RETENTION_DAYS", 1, 3650));
  c.trace_review_above = to_long(m, "EPINET_TRACE_REVIEW_ABOVE", 0, 1000000000);
  c.jobs_interval_s = static_cast<int>(to_long(m, "EPINET_JOBS_INTERVAL_S", 1, 86400));
  c.commit_batch_max = static_cast<int>(to_long(m, "EPINET_COMMIT_BATCH_MAX", 1, 100000));
  c.node_id = static_cast<int>(to_long(m, "EPINET_NODE_ID", 0, 1023));
  c.utc_offset_minutes = static_cast<int>(to_long(m, "EPINET_UTC_OFFSET_MINUTES", -720, 840));
  return c;
}

}  // namespace epinet
