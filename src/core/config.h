// Settings: the embedded defaults file (config/epinet.defaults.env), then a
// config file, then EPINET_* environment variables, then flags.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace epinet {

extern const char* const kDefaultsFile;

struct Config {
  std::string listen_host;
  uint16_t listen_port = 0;
  std::string data_dir;
  std::string database_url;
  std::string web_dir;
  std::string demo_password;
  std::string log_level;
  int threads = 0;
  size_t max_body_bytes = 0;
  size_t max_upload_bytes = 0;  // bodies sent as files: CSV, XLSX, images, multipart
  int request_timeout_s = 0;
  int shutdown_grace_s = 0;
  int session_ttl_hours = 0;
  int login_max_failures = 0;
  int login_window_s = 0;
  std::string sqlite_synchronous;
  int db_pool_size = 0;

  std::string health_code_rules;  // path, or "" for the built-in rules
  int code_ttl_s = 180;
  int travel_window_days = 7;
  double fever_threshold_c = 37.3;
  int risk_high_to_medium_days = 7, risk_medium_to_low_days = 7, risk_from_high_to_low_days = 3;
  int retention_days = 28;
  int64_t trace_review_above = 10000;  // contacts above which a trace job waits for a decision (0: never)
  int jobs_interval_s = 60;
  int commit_batch_max = 2000;
  int node_id = 0;
  int utc_offset_minutes = 480;

  // Raw KEY=VALUE settings after merging, for `epinet config`.
  std::map<std::string, std::string> raw;
};

// Parses "KEY=VALUE" lines; '#' starts a comment line. Throws Error(kInvalid)
// naming the line on a malformed one.
std::map<std::string, std::string> parse_settings(const std::string& text, const std::string& origin);

// Loads settings. `overrides` are flag values (highest precedence);
// `config_file` may be empty (then EPINET_CONFIG is consulted).
Config load_config(const std::map<std::string, std::string>& overrides, std::string config_file = "");

}  // namespace epinet
