// `epinet push-list`: import a pushed list from the command line with a
// progress bar (the same code as POST /api/v1/push-lists), the SQL-join
// reference match, and a synthetic roster and list for bench/reconcile.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "cli/commands.h"
#include "core/error.h"
#include "domain/person/identity.h"
#include "service/community.h"
#include "service/push_lists.h"
#include "store/community.h"
#include "store/migrations.h"

namespace epinet::cli {
namespace {

struct Options {
  std::string file, community, deadline, name, engine = "memory", out;
  bool progress = false, dry_run = false, json = false;
  int64_t persons = 0, rows = 0;
  uint64_t seed = 1;
};

// --community: a division id or code.
store::Division community_arg(store::Database& db, const std::string& arg) {
  std::optional<store::Division> d;
  db.read([&](store::Connection& c) {
    d = store::find_division_by_code(c, arg);
    if (!d && !arg.empty() && arg.find_first_not_of("0123456789") == std::string::npos) d = store::find_division(c, std::stoll(arg));
    if (d) *d = service::community_of(c, d->id);
  });
  if (!d) throw invalid("invalid_argument", "--community: no division with id or code " + arg);
  return *d;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw invalid("invalid_argument", "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// FNV-1a over the matched person ids, in row order: two engines agree row by row when their digests do.
unsigned long long digest_of(const std::vector<int64_t>& matched) {
  uint64_t h = 1469598103934665603ULL;
  for (int64_t m : matched)
    for (int b = 0; b < 8; ++b) h = (h ^ ((static_cast<uint64_t>(m) >> (8 * b)) & 0xff)) * 1099511628211ULL;
  return h;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int run_import(const Options& o, const Config& config) {
  auto db = open_migrated(config, true);
  service::Runtime rt(*db, config);
  auto community = community_arg(*db, o.community);
  std::string bytes = read_file(o.file);
  auto caller = cli_caller();
  auto t0 = std::chrono::steady_clock::now();
  if (o.engine == "sql") {
    auto matched = service::match_push_list_by_join(rt, caller, community.id, bytes);
    double s = seconds_since(t0);
    int64_t n = 0;
    for (auto m : matched) n += m != 0;
    std::printf("{\"engine\":\"sql\",\"rows\":%zu,\"matched\":%lld,\"digest\":\"%016llx\",\"seconds\":%.3f}\n", matched.size(),
                static_cast<long long>(n), digest_of(matched), s);
    return 0;
  }
  if (o.engine != "memory") throw invalid("invalid_argument", "--engine is memory or sql");
  const bool bar = o.progress || ::isatty(STDERR_FILENO);
  std::map<std::string, double> stage_end;
  std::string last_stage;
  int last_pct = -1;
  service::PushUpload in;
  in.community_id = community.id;
  in.name = o.name;
  in.file_name = o.file.substr(o.file.find_last_of('/') + 1);
  in.bytes = bytes;
  in.dry_run = o.dry_run;
  if (o.deadline.empty()) in.deadline = now_ms() + 3LL * 24 * 3600 * 1000;
  else if (auto d = parse_iso8601(o.deadline)) in.deadline = *d;
  else throw invalid("invalid_argument", "--deadline must be an ISO 8601 time");
  // Stages weigh: read 10 %, load 30 %, match 40 %, write 20 %.
  const std::map<std::string, std::pair<double, double>> span = {
      {"read", {0, 0.1}}, {"load", {0.1, 0.4}}, {"match", {0.4, 0.8}}, {"write", {0.8, 1.0}}};
  auto progress = [&](const std::string& stage, size_t done, size_t total) {
    stage_end[stage] = seconds_since(t0);
    if (!bar) return;
    auto [a, b] = span.at(stage);
    double x = a + (b - a) * (total ? static_cast<double>(done) / static_cast<double>(total) : 1.0);
    int pct = static_cast<int>(x * 100);
    if (pct == last_pct && stage == last_stage) return;
    last_pct = pct, last_stage = stage;
    int filled = pct * 30 / 100;
    std::fprintf(stderr, "\r[%s%s] %3d%% %-6s %zu/%zu", std::string(filled, '#').c_str(), std::string(30 - filled, '.').c_str(),
                 pct, stage.c_str(), done, total);
  };
  auto res = service::upload_push_list(rt, caller, in, progress);
  double total_s = seconds_since(t0);
  if (bar) std::fprintf(stderr, "\n");
  if (!res.errors.empty()) {
    for (const auto& e : res.errors) std::cerr << "line " << e.line << ": " << e.message << "\n";
    std::cerr << res.errors.size() << " row(s) are not valid: nothing was imported\n";
    return 1;
  }
  int64_t matched = 0;
  for (auto m : res.matched) matched += m != 0;
  const auto& k = res.counts;
  if (o.json) {
    std::printf("{\"engine\":\"memory\",\"list_id\":%lld,\"rows\":%lld,\"matched\":%lld,\"registered\":%lld,"
                "\"unregistered\":%lld,\"unmatched\":%lld,\"duplicate\":%lld,\"read_s\":%.3f,\"load_s\":%.3f,"
                "\"match_s\":%.3f,\"write_s\":%.3f,\"digest\":\"%016llx\",\"seconds\":%.3f}\n",
                static_cast<long long>(res.list_id), static_cast<long long>(k.total), static_cast<long long>(matched),
                static_cast<long long>(k.registered), static_cast<long long>(k.unregistered),
                static_cast<long long>(k.unmatched), static_cast<long long>(k.duplicate), stage_end["read"],
                stage_end["load"] - stage_end["read"], stage_end["match"] - stage_end["load"],
                o.dry_run ? 0.0 : total_s - stage_end["match"], digest_of(res.matched), total_s);
  } else {
    std::printf("list %lld: %lld rows — registered %lld, unregistered %lld, unmatched %lld, duplicate %lld (%.2f s)%s\n",
                static_cast<long long>(res.list_id), static_cast<long long>(k.total), static_cast<long long>(k.registered),
                static_cast<long long>(k.unregistered), static_cast<long long>(k.unmatched),
                static_cast<long long>(k.duplicate), total_s, o.dry_run ? " [dry run: nothing written]" : "");
  }
  return 0;
}

// A synthetic roster of `persons` residents spread over the community's
// compounds and buildings (one in ten without a phone), and a list of `rows`
// rows: 60 % by identity number (some with a lowercase x), 15 % by phone only,
// 5 % by name (with a phone the roster does not have), 15 % strangers, 5 %
// repeated rows.
int run_synth(const Options& o, const Config& config) {
  if (o.persons <= 0 || o.rows <= 0 || o.out.empty()) throw invalid("invalid_argument", "--persons, --rows and --out are required");
  auto db = open_migrated(config, true);
  auto keys = service::load_keys(config.data_dir);
  auto community = community_arg(*db, o.community);
  std::vector<store::Division> homes;
  db->read([&](store::Connection& c) {
    for (auto& d : store::divisions_under(c, community.path))
      if (d.level == "building" || d.level == "compound") homes.push_back(d);
  });
  if (homes.empty()) throw invalid("invalid_argument", "the community has no compounds");
  std::mt19937_64 rng(o.seed);
  const char* family[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"};
  const char* given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
                         "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "飞", "红", "建", "文"};
  auto id_of = [&](int64_t i, int64_t salt) {
    char b[64];
    std::snprintf(b, sizeof b, "1407%02lld%04lld%02lld%02lld%03lld", static_cast<long long>(salt % 100),
                  1950 + static_cast<long long>(i % 60), 1 + static_cast<long long>((i / 60) % 12),
                  1 + static_cast<long long>((i / 720) % 28), static_cast<long long>((i / 20160) % 1000));
    std::string s(b, 17);
    return s + domain::id_check_char(s);
  };
  auto name_of = [&](int64_t i) {
    return std::string(family[i % 16]) + given[(i / 16) % 30] + given[(i / 480) % 30] + given[(i / 14400) % 30];
  };
  auto phone_of = [&](int64_t i) { return "13" + std::to_string(100000000 + i); };
  const Millis now = now_ms();
  auto t0 = std::chrono::steady_clock::now();
  constexpr int64_t kBatch = 50000;
  for (int64_t start = 0; start < o.persons; start += kBatch) {
    std::vector<store::Person> batch;
    for (int64_t i = start; i < std::min(o.persons, start + kBatch); ++i) {
      store::Person p;
      std::string id = id_of(i, 1 + i / 20160000);
      p.id_hash = keys.id_hash(id);
      p.id_enc = keys.encrypt_id(id);
      p.id_masked = domain::mask_id_number(id);
      p.name = name_of(i);
      if (i % 10 != 7) p.phone = phone_of(i);  // one in ten has no phone on the roster
      const auto& h = homes[static_cast<size_t>(i) % homes.size()];
      p.division_id = h.id;
      p.division_path = h.path;
      batch.push_back(std::move(p));
    }
    db->write([&](store::Connection& c) { store::insert_residents_bulk(c, batch, now); });
    std::fprintf(stderr, "\rresidents %lld/%lld", static_cast<long long>(std::min(o.persons, start + kBatch)),
                 static_cast<long long>(o.persons));
  }
  std::fprintf(stderr, "\n");
  std::ofstream out(o.out, std::ios::binary);
  out << "姓名,身份证号,联系电话,来源地,抵达日期\r\n";
  std::uniform_int_distribution<int64_t> any(0, o.persons - 1);
  std::vector<std::string> written;
  for (int64_t r = 0; r < o.rows; ++r) {
    int k = static_cast<int>(rng() % 100);
    std::string line;
    if (k < 5 && !written.empty()) {
      line = written[rng() % written.size()];
    } else if (k < 65) {
      int64_t i = any(rng);
      std::string id = id_of(i, 1 + i / 20160000);
      if (id.back() == 'X' && rng() % 2) id.back() = 'x';
      line = name_of(i) + "," + id + ",,北京市朝阳区,2021-08-0" + std::to_string(1 + rng() % 9);
    } else if (k < 80) {
      int64_t i = any(rng);
      if (i % 10 == 7) i = (i + 1) % o.persons;
      line = name_of(i) + ",," + phone_of(i) + ",上海市浦东新区,2021-08-02";
    } else if (k < 85) {
      int64_t i = any(rng) / 10 * 10 + 7;  // a resident without a phone: found by name, if the name is unique
      if (i >= o.persons) i -= 10;
      line = name_of(i) + ",,15" + std::to_string(100000000 + r) + ",广州市天河区,";
    } else {
      int64_t i = o.persons + r;
      line = name_of(i) + "," + id_of(i, 99) + ",,西安市雁塔区,2021-08-03";
    }
    written.push_back(line);
    out << line << "\r\n";
  }
  std::fprintf(stderr, "%lld residents, a list of %lld rows in %s (%.1f s)\n", static_cast<long long>(o.persons),
               static_cast<long long>(o.rows), o.out.c_str(), seconds_since(t0));
  return 0;
}

}  // namespace

Command add_push_list_command(CLI::App& root) {
  auto opts = std::make_shared<Options>();
  auto* app = root.add_subcommand("push-list", "pushed lists (核实大数据返回人员信息): import, and the benchmark's data");
  app->require_subcommand(1);
  auto* imp = app->add_subcommand("import", "match a list (CSV or XLSX) against a community's roster and save it");
  imp->add_option("file", opts->file, "the list: CSV (UTF-8 or GBK) or XLSX")->required();
  imp->add_option("--community", opts->community, "the community: division code or id")->required();
  imp->add_option("--deadline", opts->deadline, "ISO 8601 (default: in 3 days)");
  imp->add_option("--name", opts->name, "the list's name");
  imp->add_flag("--progress", opts->progress, "show a progress bar even when standard error is not a terminal");
  imp->add_flag("--dry-run", opts->dry_run, "match and count, save nothing");
  imp->add_option("--engine", opts->engine, "memory (hash maps of keyed hashes, default) or sql (the reference join; implies --dry-run)");
  imp->add_flag("--json", opts->json, "print the counts and stage times as JSON");
  auto* synth = app->add_subcommand("synth", "write a synthetic roster into the database and a list to --out (for bench/reconcile)");
  synth->add_option("--community", opts->community, "the community: division code or id")->required();
  synth->add_option("--persons", opts->persons, "residents to add")->required();
  synth->add_option("--rows", opts->rows, "rows of the list")->required();
  synth->add_option("--out", opts->out, "the list's CSV file")->required();
  synth->add_option("--seed", opts->seed, "random seed");
  Command cmd;
  cmd.app = app;
  cmd.run = [opts, imp, synth](const std::function<Config()>& load) {
    Config config = load();
    if (*imp) return run_import(*opts, config);
    if (*synth) return run_synth(*opts, config);
    return 2;
  };
  return cmd;
}

}  // namespace epinet::cli
