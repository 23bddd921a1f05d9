#include "sim/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/error.h"

namespace epinet::sim {
namespace {

constexpr size_t kBufferBytes = 8 << 20;

constexpr char kDigitPairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
  throw Error(ErrorKind::kUnavailable, "io_error", what + " " + path + ": " + std::strerror(errno));
}

void put_le32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_le64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

std::string hhmm(uint16_t minutes) {
  char b[8];
  std::snprintf(b, sizeof b, "%02u:%02u", minutes / 60u, minutes % 60u);
  return b;
}

}  // namespace

// ---- OutFile ----------------------------------------------------------------

size_t OutFile::format_u64(uint64_t v, char* out) {
  // Count the digits (log10 from the bit width, corrected by one compare),
  // then write pairs from the end straight into `out`.
  static constexpr uint64_t kPow10[20] = {1ULL,
                                          10ULL,
                                          100ULL,
                                          1000ULL,
                                          10000ULL,
                                          100000ULL,
                                          1000000ULL,
                                          10000000ULL,
                                          100000000ULL,
                                          1000000000ULL,
                                          10000000000ULL,
                                          100000000000ULL,
                                          1000000000000ULL,
                                          10000000000000ULL,
                                          100000000000000ULL,
                                          1000000000000000ULL,
                                          10000000000000000ULL,
                                          100000000000000000ULL,
                                          1000000000000000000ULL,
                                          10000000000000000000ULL};
  const unsigned bits = static_cast<unsigned>(std::bit_width(v | 1));
  unsigned guess = (bits * 1233) >> 12;  // ≈ floor(log10(2^bits))
  size_t n = guess + (guess < 20 && v >= kPow10[guess] ? 1 : 0);
  if (n == 0) n = 1;
  char* p = out + n;
  while (v >= 100) {
    unsigned i = static_cast<unsigned>(v % 100) * 2;
    v /= 100;
    p -= 2;
    p[0] = kDigitPairs[i];
    p[1] = kDigitPairs[i + 1];
  }
  if (v >= 10) {
    unsigned i = static_cast<unsigned>(v) * 2;
    p[-2] = kDigitPairs[i];
    p[-1] = kDigitPairs[i + 1];
  } else {
    p[-1] = static_cast<char>('0' + v);
  }
  return n;
}

OutFile::OutFile(const std::string& path) : path_(path), buf_(new char[kBufferBytes]), cap_(kBufferBytes) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) io_error("cannot create", path);
}

OutFile::~OutFile() {
  if (fd_ >= 0) ::close(fd_);
}

void OutFile::flush_some(size_t need) {
  size_t off = 0;
  while (off < size_) {
    ssize_t w = ::write(fd_, buf_.get() + off, size_ - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      io_error("cannot write", path_);
    }
    off += static_cast<size_t>(w);
  }
  written_ += size_;
  size_ = 0;
  if (need > cap_) {
    buf_.reset(new char[need]);
    cap_ = need;
  }
}

void OutFile::raw(const void* p, size_t n) {
  std::memcpy(reserve(n), p, n);
  size_ += n;
}

void OutFile::field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    text(s);
    return;
  }
  ch('"');
  for (char c : s) {
    if (c == '"') ch('"');
    ch(c);
  }
  ch('"');
}

void OutFile::close() {
  if (fd_ < 0) return;
  flush_some(0);
  if (::close(fd_) != 0) {
    fd_ = -1;
    io_error("cannot close", path_);
  }
  fd_ = -1;
}

void OutFile::patch(uint64_t offset, const void* p, size_t n) {
  int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) io_error("cannot reopen", path_);
  ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
  ::close(fd);
  if (w != static_cast<ssize_t>(n)) io_error("cannot patch", path_);
}

// ---- run --------------------------------------------------------------------

void run(Simulator& sim, DaySink& sink, const std::function<void(const Progress&)>& progress) {
  DayOutput bufs[2];
  std::mutex mu;
  std::condition_variable cv;
  int handed = -1;                // GUARDED_BY(mu): index of the buffer waiting for the writer
  bool busy[2] = {false, false};  // GUARDED_BY(mu): a buffer the writer has not finished
  bool end = false;               // GUARDED_BY(mu)
  bool failed = false;            // GUARDED_BY(mu)
  std::exception_ptr error;
  Progress pr;
  pr.days = sim.days();
  int written = 0;  // GUARDED_BY(mu)
  const std::vector<SignalRow> history = sim.history_signals();

  std::thread writer([&] {
    try {
      sink.begin(sim, history);
      for (;;) {
        int i;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return handed >= 0 || end; });
          if (handed < 0) return;
          i = handed;
          handed = -1;
        }
        sink.day(sim, bufs[i]);
        {
          std::lock_guard lock(mu);
          busy[i] = false;
          ++written;
        }
        cv.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mu);
      error = std::current_exception();
      failed = true;
      cv.notify_all();
    }
  });

  auto report = [&] {
    if (!progress) return;
    {
      std::lock_guard lock(mu);
      pr.days_written = written;
    }
    progress(pr);
  };
  // Waits (REQUIRES: lock held) until `done()` or the writer failed,
  // reporting progress meanwhile.
  auto wait_until = [&](std::unique_lock<std::mutex>& lock, const std::function<bool()>& done) {
    while (!done() && !failed) {
      cv.wait_for(lock, std::chrono::milliseconds(250));
      if (progress) {
        pr.days_written = written;
        lock.unlock();
        progress(pr);
        lock.lock();
      }
    }
  };
  for (int d = 0; !sim.done(); ++d) {
    const int i = d % 2;
    {
      std::unique_lock lock(mu);
      // This buffer, and the hand-over slot, must be free.
      wait_until(lock, [&] { return !busy[i] && handed < 0; });
      if (failed) break;
    }
    sim.step(bufs[i]);
    pr.days_done = d + 1;
    pr.checkins += static_cast<int64_t>(bufs[i].stays.size());
    pr.infections += static_cast<int64_t>(bufs[i].infections.size());
    {
      std::lock_guard lock(mu);
      busy[i] = true;
      handed = i;
    }
    cv.notify_all();
    report();
  }
  {
    std::unique_lock lock(mu);
    wait_until(lock, [&] { return handed < 0 && !busy[0] && !busy[1]; });
    end = true;
  }
  cv.notify_all();
  writer.join();
  if (error) std::rethrow_exception(error);
  sink.finish(sim);
  report();
}

// ---- the files --------------------------------------------------------------

void format_checkins(const DayOutput& day, int64_t epoch, OutFile& out) {
  for (const Stay& s : day.stays) {
    char* p = out.reserve(64);
    char* q = p;
    q += OutFile::format_u64(s.person + 1u, q);
    *q++ = ',';
    q += OutFile::format_u64(s.venue + 1u, q);
    *q++ = ',';
    *q++ = static_cast<char>('0' + s.entrance);
    *q++ = ',';
    q += OutFile::format_u64(static_cast<uint64_t>(epoch + s.t_in), q);
    *q++ = ',';
    q += OutFile::format_u64(static_cast<uint64_t>(epoch + s.t_out), q);
    *q++ = '\n';
    out.commit(static_cast<size_t>(q - p));
  }
}

FileSink::FileSink(std::string dir, CheckinFormat format) : dir_(std::move(dir)), format_(format) {}
FileSink::~FileSink() = default;

int64_t FileSink::bytes() const {
  int64_t b = bytes_closed_;
  for (const auto* f :
       {checkins_.get(), checkins_bin_.get(), trips_.get(), infections_.get(), tests_.get(), signals_.get()})
    if (f) b += static_cast<int64_t>(f->bytes());
  return b;
}

std::vector<std::string> FileSink::files() const { return written_; }

void FileSink::begin(const Simulator& sim, const std::vector<SignalRow>& history) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw Error(ErrorKind::kUnavailable, "io_error", "cannot create " + dir_ + ": " + ec.message());
  const City& c = sim.city();
  epoch_ = sim.epoch();
  auto open = [&](const std::string& name) {
    written_.push_back(name);
    return std::make_unique<OutFile>(dir_ + "/" + name);
  };
  const auto& ds = districts();
  {
    auto f = open("venues.csv");
    f->text("venue_id,type,division_code,name,kind,community_code,capacity,opens,closes,popularity,entrances\n");
    for (uint32_t v = 0; v < c.venues.size(); ++v) {
      const Venue& x = c.venues[v];
      f->u64(v + 1u);
      f->ch(',');
      f->text(domain_type(x.kind));
      f->ch(',');
      f->text(ds[x.district].code);
      f->ch(',');
      f->field(x.name);
      f->ch(',');
      f->text(kind_name(x.kind));
      f->ch(',');
      f->text(c.communities[x.community].code);
      f->ch(',');
      f->u64(x.capacity);
      f->ch(',');
      f->text(hhmm(x.opens));
      f->ch(',');
      f->text(hhmm(x.closes));
      f->ch(',');
      char b[32];
      std::snprintf(b, sizeof b, "%.6f", static_cast<double>(x.popularity));
      f->text(b);
      f->ch(',');
      std::string doors;
      for (uint8_t e = 0; e < x.n_entrances; ++e) {
        if (e) doors += '|';
        doors += std::string(x.entrances[e].name) + ":" + x.entrances[e].direction;
      }
      f->field(doors);
      f->ch('\n');
    }
    f->close();
    bytes_closed_ += static_cast<int64_t>(f->bytes());
  }
  {
    auto f = open("persons.csv");
    f->text("person_id,id_number,age,household_id,division_code,compound_id,sex,name,occupation,workplace_id\n");
    char id[18];
    for (uint32_t i = 0; i < c.persons.size(); ++i) {
      const Person& p = c.persons[i];
      f->u64(i + 1u);
      f->ch(',');
      identity_number(c, i, id);
      f->raw(id, 18);
      f->ch(',');
      f->u64(p.age);
      f->ch(',');
      f->u64(p.household + 1u);
      f->ch(',');
      f->raw(ds[p.district].code, 6);
      f->ch(',');
      f->text(c.compounds[p.compound].code);
      f->text(p.sex == 1 ? ",M," : ",F,");
      f->text(person_name(c, i));
      f->ch(',');
      f->text(occupation_name(p.occ));
      f->ch(',');
      if (p.work != kNone) f->u64(p.work + 1u);
      f->ch('\n');
    }
    f->close();
    bytes_closed_ += static_cast<int64_t>(f->bytes());
  }
  if (format_ != CheckinFormat::kBin) {
    checkins_ = open("checkins.csv");
    checkins_->text("person_id,venue_id,entrance,t_in,t_out\n");
  }
  if (format_ != CheckinFormat::kCsv) {
    checkins_bin_ = open("checkins.bin");
    char h[32] = {};
    std::memcpy(h, "EPSIMCK1", 8);
    put_le32(h + 8, 1);    // version
    put_le32(h + 12, 16);  // record size
    put_le64(h + 16, static_cast<uint64_t>(epoch_));
    put_le64(h + 24, 0);  // record count, patched at the end
    checkins_bin_->raw(h, 32);
  }
  trips_ = open("trips.csv");
  trips_->text("trip_id,vehicle,route,departure,person_id,seat_row,seat_col,arrival,from_venue_id,to_venue_id\n");
  infections_ = open("infections.csv");
  infections_->text("infector_id,infectee_id,setting,place_id,time\n");
  tests_ = open("tests.csv");
  tests_->text("person_id,sampled_at,result_at,result,venue_id,reason\n");
  signals_ = open("signals.csv");
  signals_->text("date,division_code,channel,count\n");
  write_signals(history);
}

void FileSink::day(const Simulator& sim, const DayOutput& d) {
  const City& c = sim.city();
  if (checkins_) format_checkins(d, epoch_, *checkins_);
  if (checkins_bin_) {
    for (const Stay& s : d.stays) {
      char* p = checkins_bin_->reserve(16);
      put_le32(p, s.person + 1u);
      put_le32(p + 4, s.venue + 1u);
      put_le32(p + 8, static_cast<uint32_t>(epoch_ + s.t_in));
      put_le32(p + 12, static_cast<uint32_t>(s.t_out - s.t_in) | (static_cast<uint32_t>(s.entrance) << 24));
      checkins_bin_->commit(16);
    }
    bin_records_ += d.stays.size();
  }
  n_checkins_ += static_cast<int64_t>(d.stays.size());
  for (const Trip& t : d.trips) {
    const std::string plate = vehicle_plate(c, t), route = route_name(c, t);
    const uint32_t from = trip_from(c, t), to = trip_to(c, t);
    for (uint32_t s = t.first_seat; s < t.first_seat + t.seats; ++s) {
      const Seat& seat = d.seats[s];
      trips_->u64(t.id);
      trips_->ch(',');
      trips_->text(plate);
      trips_->ch(',');
      trips_->text(route);
      trips_->ch(',');
      trips_->u64(static_cast<uint64_t>(epoch_ + t.departure));
      trips_->ch(',');
      trips_->u64(seat.person + 1u);
      trips_->ch(',');
      trips_->u64(seat.row);
      trips_->ch(',');
      trips_->u64(seat.col);
      trips_->ch(',');
      trips_->u64(static_cast<uint64_t>(epoch_ + t.arrival));
      trips_->ch(',');
      if (from != kNone) trips_->u64(from + 1u);
      trips_->ch(',');
      if (to != kNone) trips_->u64(to + 1u);
      trips_->ch('\n');
    }
    n_seats_ += t.seats;
  }
  n_trips_ += static_cast<int64_t>(d.trips.size());
  for (const Infection& x : d.infections) {
    if (x.infector != kNone) infections_->u64(x.infector + 1u);
    infections_->ch(',');
    infections_->u64(x.infectee + 1u);
    infections_->ch(',');
    infections_->text(setting_name(x.setting));
    infections_->ch(',');
    switch (x.setting) {
      case Setting::kHousehold:
      case Setting::kVenue:
        infections_->u64(x.place + 1u);
        break;
      case Setting::kTrip:
      case Setting::kImport:
        infections_->u64(x.place);
        break;
      case Setting::kLocal:
        break;
    }
    infections_->ch(',');
    infections_->i64(epoch_ + x.time);
    infections_->ch('\n');
  }
  for (const TestRecord& t : d.tests) {
    tests_->u64(t.person + 1u);
    tests_->ch(',');
    tests_->i64(epoch_ + t.sampled);
    tests_->ch(',');
    tests_->i64(epoch_ + t.result_at);
    tests_->text(t.positive ? ",positive," : ",negative,");
    if (t.venue != kNone) tests_->u64(t.venue + 1u);
    tests_->text(t.reason == TestReason::kFeverClinic ? ",fever_clinic\n" : ",quarantine\n");
    n_positive_ += t.positive;
  }
  n_tests_ += static_cast<int64_t>(d.tests.size());
  write_signals(d.signals);
}

void FileSink::write_signals(const std::vector<SignalRow>& rows) {
  const auto& ds = districts();
  for (const auto& row : rows) {
    signals_->text(format_date(civil_from_days(row.days)));
    signals_->ch(',');
    signals_->text(ds[row.district].code);
    signals_->ch(',');
    signals_->text(channel_name(row.channel));
    signals_->ch(',');
    signals_->i64(row.count);
    signals_->ch('\n');
  }
  n_signals_ += static_cast<int64_t>(rows.size());
}

void FileSink::finish(const Simulator& sim) {
  const Outbreak& o = sim.outbreak();
  for (auto* f : {checkins_.get(), trips_.get(), infections_.get(), tests_.get(), signals_.get()})
    if (f) {
      f->close();
      bytes_closed_ += static_cast<int64_t>(f->bytes());
    }
  if (checkins_bin_) {
    checkins_bin_->close();
    bytes_closed_ += static_cast<int64_t>(checkins_bin_->bytes());
    char n[8];
    put_le64(n, bin_records_);
    checkins_bin_->patch(24, n, 8);
  }
  checkins_.reset();
  checkins_bin_.reset();
  trips_.reset();
  infections_.reset();
  tests_.reset();
  signals_.reset();
  {
    OutFile f(dir_ + "/onsets.csv");
    written_.push_back("onsets.csv");
    f.text("person_id,onset_time,symptomatic,infectious_from,infectious_until,isolated_at\n");
    for (const Case& k : o.cases()) {
      f.u64(k.person + 1u);
      f.ch(',');
      if (k.symptomatic) f.i64(epoch_ + k.onset);
      f.text(k.symptomatic ? ",1," : ",0,");
      f.i64(epoch_ + k.infectious_from);
      f.ch(',');
      f.i64(epoch_ + k.infectious_until);
      f.ch(',');
      SimTime iso = o.isolated_at(k.person);
      if (iso != kNever) f.i64(epoch_ + iso);
      f.ch('\n');
    }
    f.close();
    bytes_closed_ += static_cast<int64_t>(f.bytes());
  }
  {
    OutFile f(dir_ + "/summary.json");
    written_.push_back("summary.json");
    f.text(summary_json(sim, n_checkins_, n_trips_, n_seats_, n_tests_, n_positive_));
    f.close();
    bytes_closed_ += static_cast<int64_t>(f.bytes());
  }
}

std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string summary_json(const Simulator& sim, int64_t checkins, int64_t trips, int64_t seats, int64_t tests,
                         int64_t positive) {
  // Written by hand so that numbers read naturally (0.00123, not 1.23E-3).
  const City& c = sim.city();
  const Scenario& s = c.scenario;
  Outcome out = sim.outcome();
  auto num = [](double v, int decimals) {
    char b[64];
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
    return std::string(b);
  };
  auto str = [](const std::string& v) { return "\"" + v + "\""; };
  std::vector<std::pair<std::string, std::string>> kv = {
      {"generator", str("epinet sim")},
      {"seed", std::to_string(s.seed)},
      {"scenario_digest", str(s.digest())},
      {"start_date", str(format_date(civil_from_days(c.start_days)))},
      {"days", std::to_string(s.days)},
      {"epoch", std::to_string(sim.epoch())},
      {"persons", std::to_string(c.persons.size())},
      {"households", std::to_string(c.households.size())},
      {"communities", std::to_string(c.communities.size())},
      {"compounds", std::to_string(c.compounds.size())},
      {"venues", std::to_string(c.venues.size())},
      {"checkins", std::to_string(checkins)},
      {"trips", std::to_string(trips)},
      {"trip_seats", std::to_string(seats)},
      {"tests", std::to_string(tests)},
      {"positive_tests", std::to_string(positive)},
      {"infections", std::to_string(out.infections)},
      {"attack_rate", num(out.attack_rate, 8)},
      {"doubling_days", std::isfinite(out.doubling_days) ? num(out.doubling_days, 3) : "null"},
  };
  std::string cum = "[";
  for (int64_t v : sim.cumulative_infections()) cum += (cum.size() > 1 ? "," : "") + std::to_string(v);
  kv.push_back({"cumulative_infections", cum + "]"});
  kv.push_back({"expected", "{\"attack_rate\": [" + num(s.expect_attack_rate_min, 6) + ", " +
                                num(s.expect_attack_rate_max, 6) + "], \"doubling_days\": [" +
                                num(s.expect_doubling_days_min, 2) + ", " +
                                num(std::min(s.expect_doubling_days_max, 1e6), 2) + "]}"});
  std::string o = "{\n";
  for (size_t i = 0; i < kv.size(); ++i)
    o += "  \"" + kv[i].first + "\": " + kv[i].second + (i + 1 < kv.size() ? ",\n" : "\n");
  return o + "}\n";
}

}  // namespace epinet::sim
