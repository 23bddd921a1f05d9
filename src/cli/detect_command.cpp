// `epinet detect`: runs one aberration detector (src/domain/warning) on series
// read from a CSV file and writes t,observed,upperbound,alarm — the code the
// server uses, for analysts and for checking against R.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "domain/warning/detect.h"

namespace epinet::cli {
namespace {

namespace w = domain::warning;

struct Options {
  std::string method, input = "-";
  int frequency = 0;
  long long from_t = 0, to_t = 0;
  // EARS
  int baseline = 7;
  double alpha = 0, min_sigma = 0, threshold = 2;
  // Farrington
  int b = 5, fw = 3, no_periods = 0, past_weeks_not_included = 0, limit54_cases = 5, limit54_periods = 4;
  double weights_threshold = 0, p_threshold_trend = 0;
  std::string reweight, trend, powertrans = "2/3", threshold_method;
  bool population_offset = false;
  // CUSUM
  double k = 1.04, h = 2.26, m = 0;
  std::string trans = "rossi";
  // MPM
  int window = 0, years = 3, neighbours = 1;
  double percentile = 80;
};

struct InputSeries {
  std::string name;
  std::vector<long long> t;
  w::Series series;
};

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  for (auto& f : out) {
    size_t a = f.find_first_not_of(" \t"), z = f.find_last_not_of(" \t");
    f = a == std::string::npos ? "" : f.substr(a, z - a + 1);
  }
  return out;
}

// "YYYY-MM-DD" to days since 1970-01-01.
std::optional<int32_t> parse_date(const std::string& s) {
  int y = 0, m = 0, d = 0;
  char extra = 0;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3) return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const int32_t days = w::days_from_civil({y, m, d});
  const w::CivilDate back = w::civil_from_days(days);
  if (back.month != m || back.day != d) return std::nullopt;  // e.g. 2023-02-30
  return days;
}

std::vector<InputSeries> read_input(std::istream& in, const std::string& where) {
  std::string line;
  size_t line_no = 0;
  auto fail = [&](const std::string& msg) {
    throw invalid("input", where + ":" + std::to_string(line_no) + ": " + msg);
  };
  if (!std::getline(in, line)) throw invalid("input", where + ": empty input (expected a header t,count[,date])");
  ++line_no;
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 BOM
  const auto header = split_csv_line(line);
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  if (!col.count("t") || !col.count("count"))
    fail("the header must name the columns t and count (and optionally date, series, population)");
  const size_t ct = col["t"], cc = col["count"];
  constexpr size_t kAbsent = std::string::npos;
  const size_t cd = col.count("date") ? col["date"] : kAbsent;
  const size_t cs = col.count("series") ? col["series"] : kAbsent;
  const size_t cp = col.count("population") ? col["population"] : kAbsent;

  std::vector<InputSeries> all;
  std::map<std::string, size_t> index;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto f = split_csv_line(line);
    if (f.size() < header.size()) fail("expected " + std::to_string(header.size()) + " fields");
    const std::string name = cs != kAbsent ? f[cs] : "";
    auto [it, inserted] = index.emplace(name, all.size());
    if (inserted) all.push_back(InputSeries{name, {}, {}});
    InputSeries& s = all[it->second];
    long long t = 0;
    try {
      size_t used = 0;
      t = std::stoll(f[ct], &used);
      if (used != f[ct].size()) throw std::invalid_argument("t");
    } catch (const std::exception&) {
      fail("t must be an integer, not '" + f[ct] + "'");
    }
    if (!s.t.empty() && t != s.t.back() + 1)
      fail("t must go up by 1 from row to row" + std::string(cs != kAbsent ? " within a series" : "") + " (got " +
           std::to_string(t) + " after " + std::to_string(s.t.back()) + ")");
    s.t.push_back(t);
    const std::string& cnt = f[cc];
    double v = std::nan("");
    if (!cnt.empty() && cnt != "NA") {
      try {
        size_t used = 0;
        v = std::stod(cnt, &used);
        if (used != cnt.size() || !std::isfinite(v) || v < 0) throw std::invalid_argument("count");
      } catch (const std::exception&) {
        fail("count must be a non-negative number, empty or NA, not '" + cnt + "'");
      }
    }
    s.series.observed.push_back(v);
    if (cd != kAbsent) {
      auto d = parse_date(f[cd]);
      if (!d) fail("date must look like 2026-01-31, not '" + f[cd] + "'");
      if (!s.series.dates.empty() && *d <= s.series.dates.back()) fail("dates must increase");
      s.series.dates.push_back(*d);
    }
    if (cp != kAbsent) {
      double pop = 0;
      try {
        pop = std::stod(f[cp]);
      } catch (const std::exception&) {
        fail("population must be a number");
      }
      s.series.population.push_back(pop);
    }
  }
  return all;
}

// The value named `value` among `choices`, or Error(kInvalid) listing them.
template <class T>
T pick(const std::vector<std::pair<std::string, T>>& choices, const std::string& value, const std::string& option) {
  std::string names;
  for (const auto& [name, v] : choices) {
    if (name == value) return v;
    names += (names.empty() ? "" : ", ") + name;
  }
  throw invalid(option, "--" + option + " takes " + names + ", not '" + value + "'");
}

int infer_frequency(const w::Series& s) {
  if (s.dates.size() < 2) return 52;
  const int32_t d = s.dates[1] - s.dates[0];
  if (d == 1) return 365;
  if (d == 7) return 52;
  if (d >= 28 && d <= 31) return 12;
  throw invalid("frequency",
                "cannot tell the frequency from dates " + std::to_string(d) + " days apart: give --frequency");
}

std::string number(double v) {
  if (std::isnan(v)) return "NA";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

Command add_detect_command(CLI::App& root) {
  auto o = std::make_shared<Options>();
  Command c;
  auto* app = root.add_subcommand(
      "detect",
      "aberration detection on count series: reads t,count[,date][,series][,population] (CSV), writes\n"
      "t,observed,upperbound,alarm (NA: no value; empty: time point not evaluated). The methods follow\n"
      "R's surveillance package; see docs/early-warning.md.");
  c.app = app;
  app->add_option("--method", o->method,
                  "ears-c1 | ears-c2 | ears-c3 (R's earsC) | ears-c3-published | farrington | "
                  "farrington-flexible | cusum | mpm")
      ->required();
  app->add_option("--input", o->input, "CSV file, - for standard input")->required();
  auto* o_freq = app->add_option("--frequency", o->frequency,
                                 "periods per year: 365, 52, 12 (default: from the dates, else 52 as R's sts)");
  auto* o_from =
      app->add_option("--from", o->from_t, "t of the first time point to evaluate (default: the method's, as R)");
  auto* o_to = app->add_option("--to", o->to_t, "t of the last time point to evaluate (default: the last)");
  // EARS
  app->add_option("--baseline", o->baseline, "EARS: days in the reference window (default 7)");
  auto* o_alpha =
      app->add_option("--alpha", o->alpha, "EARS: default 0.001 (C1, C2), 0.025 (C3); Farrington: default 0.05");
  app->add_option("--min-sigma", o->min_sigma, "EARS: lower bound on the standard deviation (default 0)");
  app->add_option("--threshold", o->threshold, "ears-c3-published: the C3 threshold (default 2)");
  // Farrington
  app->add_option("--b", o->b, "Farrington: years back (default 5)");
  app->add_option("--w", o->fw, "Farrington: half-window in periods (default 3)");
  auto* o_np = app->add_option("--no-periods", o->no_periods,
                               "Farrington: periods of the seasonal factor (farrington 1, farrington-flexible 10)");
  auto* o_pwni =
      app->add_option("--past-weeks-not-included", o->past_weeks_not_included,
                      "Farrington: latest periods left out of the baseline (farrington: --w, farrington-flexible 26)");
  auto* o_wt = app->add_option(
      "--weights-threshold", o->weights_threshold,
      "Farrington: Anscombe residual above which a point is down-weighted (farrington 1, farrington-flexible 2.58)");
  auto* o_ptt =
      app->add_option("--p-threshold-trend", o->p_threshold_trend,
                      "Farrington: p-value below which the trend is kept (farrington 0.05, farrington-flexible 1)");
  auto* o_tm = app->add_option("--threshold-method", o->threshold_method,
                               "Farrington: delta | nbPlugin | muan (farrington delta, farrington-flexible nbPlugin)");
  app->add_option("--reweight", o->reweight, "Farrington: true | false (default true)");
  app->add_option("--trend", o->trend, "Farrington: true | false (default true)");
  app->add_option("--powertrans", o->powertrans, "Farrington delta: 2/3 | 1/2 | none (default 2/3)");
  app->add_option("--limit54-cases", o->limit54_cases, "Farrington: cases of the 5-in-4 rule (default 5)");
  app->add_option("--limit54-periods", o->limit54_periods, "Farrington: periods of the 5-in-4 rule (default 4)");
  app->add_flag("--population-offset", o->population_offset,
                "Farrington: log(population) offset (needs a population column)");
  // CUSUM
  app->add_option("--k", o->k, "CUSUM: reference value (default 1.04)");
  app->add_option("--h", o->h, "CUSUM: decision interval (default 2.26)");
  auto* o_m = app->add_option("--m", o->m, "CUSUM: in-control mean (default: mean of the counts before --from)");
  app->add_option("--trans", o->trans,
                  "CUSUM: rossi | standard | anscombe | anscombe2nd | pearsonNegBin | none (default rossi)");
  // MPM
  auto* o_win = app->add_option("--window", o->window, "MPM: periods per block (default 7 for daily series, else 1)");
  app->add_option("--years", o->years, "MPM: years back (default 3)");
  app->add_option("--neighbours", o->neighbours, "MPM: blocks either side of the matching one (default 1)");
  app->add_option("--percentile", o->percentile, "MPM: percentile of the baseline blocks (default 80)");

  c.run = [o, o_freq, o_from, o_to, o_alpha, o_np, o_pwni, o_wt, o_ptt, o_tm, o_m,
           o_win](const std::function<Config()>&) {
    try {
      const auto method = w::parse_method(o->method);
      if (!method) throw invalid("method", "unknown method '" + o->method + "' (see epinet detect --help)");
      w::DetectSettings s = w::default_settings(*method);
      if (o_alpha->count()) s.ears.alpha = o->alpha, s.farrington.alpha = o->alpha;
      s.ears.baseline = o->baseline;
      s.ears.min_sigma = o->min_sigma;
      s.ears.threshold = o->threshold;
      auto& f = s.farrington;
      f.b = o->b;
      f.w = o->fw;
      if (o_np->count()) f.no_periods = o->no_periods;
      if (o_pwni->count()) f.past_weeks_not_included = o->past_weeks_not_included;
      if (!o_pwni->count() && *method == w::Method::kFarrington) f.past_weeks_not_included = o->fw;
      if (o_wt->count()) f.weights_threshold = o->weights_threshold;
      if (o_ptt->count()) f.p_threshold_trend = o->p_threshold_trend;
      auto boolean = [](const std::string& v, const char* name) {
        if (v == "true" || v == "TRUE" || v == "1") return true;
        if (v == "false" || v == "FALSE" || v == "0") return false;
        throw invalid(name, std::string("--") + name + " takes true or false");
      };
      if (!o->reweight.empty()) f.reweight = boolean(o->reweight, "reweight");
      if (!o->trend.empty()) f.trend = boolean(o->trend, "trend");
      if (o_tm->count())
        f.threshold = pick<w::FarringtonThreshold>({{"delta", w::FarringtonThreshold::kDelta},
                                                    {"nbPlugin", w::FarringtonThreshold::kNbPlugin},
                                                    {"muan", w::FarringtonThreshold::kMuan}},
                                                   o->threshold_method, "threshold-method");
      f.powertrans = pick<w::PowerTransform>({{"2/3", w::PowerTransform::kTwoThirds},
                                              {"1/2", w::PowerTransform::kHalf},
                                              {"none", w::PowerTransform::kNone}},
                                             o->powertrans, "powertrans");
      f.limit54_cases = o->limit54_cases;
      f.limit54_periods = o->limit54_periods;
      f.population_offset = o->population_offset;
      s.cusum.k = o->k;
      s.cusum.h = o->h;
      if (o_m->count()) s.cusum.m = o->m;
      s.cusum.trans = pick<w::CusumTransform>({{"rossi", w::CusumTransform::kRossi},
                                               {"standard", w::CusumTransform::kStandard},
                                               {"anscombe", w::CusumTransform::kAnscombe},
                                               {"anscombe2nd", w::CusumTransform::kAnscombe2nd},
                                               {"pearsonNegBin", w::CusumTransform::kPearsonNegBin},
                                               {"none", w::CusumTransform::kNone}},
                                              o->trans, "trans");
      if (o_win->count()) s.mpm.window = o->window;
      s.mpm.years = o->years;
      s.mpm.neighbours = o->neighbours;
      s.mpm.percentile = o->percentile;

      std::vector<InputSeries> all;
      if (o->input == "-") {
        all = read_input(std::cin, "standard input");
      } else {
        std::ifstream in(o->input);
        if (!in) throw invalid("input", "cannot read " + o->input);
        all = read_input(in, o->input);
      }
      const bool named = all.size() > 1 || (!all.empty() && !all[0].name.empty());
      std::string out;
      out.reserve(1 << 16);
      out += named ? "series,t,observed,upperbound,alarm\n" : "t,observed,upperbound,alarm\n";
      for (InputSeries& in : all) {
        in.series.frequency = o_freq->count() ? o->frequency : infer_frequency(in.series);
        w::DetectSettings ss = s;
        const long long t0 = in.t.front();
        const auto n = static_cast<long long>(in.t.size());
        if (o_from->count()) {
          if (o->from_t < t0) throw invalid("from", "--from is before the first t");
          ss.range.from = static_cast<size_t>(o->from_t - t0);
        }
        if (o_to->count()) {
          if (o->to_t < t0) throw invalid("to", "--to is before the first t");
          ss.range.to = static_cast<size_t>(std::min(o->to_t - t0, n - 1));
        }
        const w::Detection d = w::detect(in.series, ss);
        size_t evaluated = 0;
        for (size_t i = 0; i < in.t.size(); ++i) {
          if (named) out += in.name + ",";
          out += std::to_string(in.t[i]) + "," + number(in.series.observed[i]) + ",";
          switch (d.alarm[i]) {
            case w::Alarm::kNotEvaluated:
              out += ",";
              break;
            case w::Alarm::kMissing:
              out += number(d.upperbound[i]) + ",NA";
              break;
            case w::Alarm::kNo:
              out += number(d.upperbound[i]) + ",0";
              break;
            case w::Alarm::kYes:
              out += number(d.upperbound[i]) + ",1";
              break;
          }
          out += "\n";
          evaluated += d.alarm[i] != w::Alarm::kNotEvaluated ? 1 : 0;
        }
        if (evaluated == 0)
          std::cerr << "epinet detect: " << (in.name.empty() ? "the series" : "series " + in.name)
                    << ": no time point could be evaluated (too short for the method's baseline?)\n";
        std::cout << out;
        out.clear();
      }
      std::cout.flush();
      return 0;
    } catch (const Error& e) {
      std::cerr << "epinet detect: " << e.what() << "\n";
      return 1;
    }
  };
  return c;
}

}  // namespace epinet::cli
