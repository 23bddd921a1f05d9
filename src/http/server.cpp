// The HTTP server on Boost.Beast: a listener, and a session per connection
// that reuses its buffer across keep-alive requests. The only translation unit
// that includes Beast.
#include "http/server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <thread>

namespace epinet::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::atomic<bool> g_stopping{false};
std::atomic<int> g_in_flight{0};

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

Request to_request(const bhttp::request<bhttp::string_body>& r, const std::string& client) {
  Request q;
  q.method = std::string(r.method_string());
  std::string_view target = r.target();
  auto qm = target.find('?');
  q.path = percent_decode(target.substr(0, qm), false);
  if (qm != std::string_view::npos) {
    std::string_view qs = target.substr(qm + 1);
    while (!qs.empty()) {
      auto amp = qs.find('&');
      std::string_view kv = qs.substr(0, amp);
      auto eq = kv.find('=');
      q.query[percent_decode(kv.substr(0, eq), true)] =
          eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1), true);
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  q.body = r.body();
  if (auto it = r.find(bhttp::field::authorization); it != r.end()) q.authorization = std::string(it->value());
  if (auto it = r.find(bhttp::field::cookie); it != r.end()) q.cookie = std::string(it->value());
  if (auto it = r.find(bhttp::field::content_type); it != r.end()) q.content_type = std::string(it->value());
  q.client_addr = client;
  return q;
}

// One io_context per thread, each run by its thread alone: a connection lives
// on one thread, so it needs no strand and its handlers never contend.
using Executor = asio::io_context::executor_type;
using Stream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;
using Socket = asio::basic_stream_socket<tcp, Executor>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, App& app) : stream_(std::move(socket)), app_(app) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    client_ = ec ? "" : ep.address().to_string();
  }

  void start() { read(); }

 private:
  // The header first: its Content-Type decides how large a body may be.
  void read() {
    parser_.emplace();
    // Checked against Content-Length when the header ends, so the larger of the
    // two limits here; on_header() lowers it for anything but a file.
    parser_->body_limit(std::max(app_.config.max_body_bytes, app_.config.max_upload_bytes));
    parser_->header_limit(16 * 1024);
    limit_ = std::max(app_.config.max_body_bytes, app_.config.max_upload_bytes);
    stream_.expires_after(std::chrono::seconds(app_.config.request_timeout_s));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (!ec) {
      limit_ = is_upload(parser_->get()[bhttp::field::content_type]) ? app_.config.max_upload_bytes
                                                                     : app_.config.max_body_bytes;
      auto length = parser_->content_length();
      if (length && *length > limit_) ec = bhttp::error::body_limit;
      else parser_->body_limit(limit_);  // counts the body's bytes as they come (chunked too)
    }
    if (ec || parser_->is_done()) return on_read(ec);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  static bool is_upload(std::string_view content_type) {
    for (std::string_view t : {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               "application/octet-stream", "multipart/form-data", "image/"})
      if (content_type.substr(0, t.size()) == t) return true;
    return false;
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      return close();
    started_ = std::chrono::steady_clock::now();
    g_in_flight.fetch_add(1);
    stream_.expires_never();
    if (ec) {
      // A request we could not read: answer once, then close the connection.
      keep_alive_ = false;
      version_ = 11;
      head_ = false;
      route_ = Router::kUnmatchedRoute;
      method_ = "?";
      target_.clear();
      return send(ec == bhttp::error::body_limit
                      ? error_response(413, "body_too_large",
                                       "the body is larger than " + std::to_string(limit_) + " bytes")
                      : error_response(400, "bad_request", "malformed HTTP request: " + ec.message()));
    }
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive() && !g_stopping.load();
    version_ = req.version();
    head_ = req.method() == bhttp::verb::head;
    method_ = req.method_string();
    target_ = req.target();
    Response r = app_.router.dispatch(app_, to_request(req, client_), route_);
    if (!r.deferred) return send(std::move(r));
    auto later = std::move(r.deferred);
    later([self = shared_from_this()](Response::Builder build) {
      asio::post(self->stream_.get_executor(), [self, build = std::move(build)] { self->send(answer(build)); });
    });
  }

  // A deferred answer is built here, on the connection's thread: what it
  // throws becomes the same error answer the router gives, never an
  // exception out of the event loop.
  static Response answer(const Response::Builder& build) {
    try {
      return build();
    } catch (const Error& e) {
      return error_response(e);
    } catch (const std::exception& e) {
      spdlog::error(R"({{"type":"deferred_answer_failed","error":{}}})", boost::json::serialize(boost::json::string(e.what())));
      return error_response(500, "internal", "internal error");
    }
  }

  void send(Response r) {
    res_ = {};
    res_.result(static_cast<bhttp::status>(r.status));
    res_.version(version_);
    res_.set(bhttp::field::server, "epinet");
    res_.set(bhttp::field::content_type, r.content_type);
    res_.set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : r.headers) res_.insert(k, v);
    res_.keep_alive(keep_alive_);
    body_size_ = r.body.size();
    if (head_) {
      res_.content_length(body_size_);
    } else {
      res_.body() = std::move(r.body);
      res_.prepare_payload();
    }
    bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    int status = res_.result_int();
    size_t series = route_ >= 0 ? static_cast<size_t>(route_)
                                : app_.router.routes().size() + (route_ == Router::kStaticRoute ? 0 : 1);
    app_.metrics.observe(series, status, secs);
    if (spdlog::should_log(spdlog::level::info))
      spdlog::info(R"({{"type":"access","method":"{}","path":{},"status":{},"ms":{:.3f},"bytes":{},"client":"{}"}})",
                   method_, boost::json::serialize(boost::json::string(target_.substr(0, target_.find('?')))), status,
                   secs * 1000, body_size_, client_);
    g_in_flight.fetch_sub(1);
    if (ec || !keep_alive_) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    // A lingering close: read and drop what the client still sends (the rest
    // of a body refused with 413) for a moment, so that the kernel does not
    // answer those bytes with a reset that destroys the response in flight.
    drain_ = std::make_unique<std::array<char, 4096>>();
    stream_.expires_after(std::chrono::seconds(2));
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(*drain_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec) self->drain();
    });
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  App& app_;
  std::string client_;
  // The request being answered.
  std::chrono::steady_clock::time_point started_;
  bool keep_alive_ = false, head_ = false;
  size_t limit_ = 0;  // the body limit of the request being read
  std::unique_ptr<std::array<char, 4096>> drain_;  // for a lingering close
  unsigned version_ = 11;
  int route_ = Router::kUnmatchedRoute;
  std::string method_, target_;
  size_t body_size_ = 0;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(std::vector<std::unique_ptr<asio::io_context>>& loops, tcp::endpoint ep, App& app)
      : loops_(loops), acceptor_(*loops[0]), app_(app) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }
  tcp::endpoint local() const { return acceptor_.local_endpoint(); }
  void start() { accept(); }
  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void accept() {
    // Connections are handed to the loops in turn.
    auto& loop = *loops_[next_++ % loops_.size()];
    acceptor_.async_accept(loop, [self = shared_from_this()](beast::error_code ec, Socket s) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(s), self->app_)->start();
      }
      self->accept();
    });
  }

  std::vector<std::unique_ptr<asio::io_context>>& loops_;
  asio::basic_socket_acceptor<tcp, Executor> acceptor_;
  App& app_;
  size_t next_ = 0;
};

}  // namespace

void run_server(App& app, const std::function<void(const std::string&)>& on_ready) {
  int threads = std::max(1, app.config.threads);
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (int i = 0; i < threads; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  beast::error_code ec;
  auto addr = asio::ip::make_address(app.config.listen_host, ec);
  if (ec) throw std::runtime_error("EPINET_LISTEN: '" + app.config.listen_host + "' is not an IP address");
  auto listener = std::make_shared<Listener>(loops, tcp::endpoint(addr, app.config.listen_port), app);
  listener->start();
  auto ep = listener->local();
  on_ready(ep.address().to_string() + ":" + std::to_string(ep.port()));

  // Keep every loop running while idle; released at shutdown.
  std::vector<asio::executor_work_guard<Executor>> guards;
  for (auto& l : loops) guards.push_back(asio::make_work_guard(*l));

  // SIGTERM/SIGINT: stop accepting, answer what is in flight, then stop.
  asio::io_context& main = *loops[0];
  asio::signal_set signals(main, SIGINT, SIGTERM);
  asio::steady_timer drain(main);
  auto deadline = std::chrono::steady_clock::now();
  std::function<void(beast::error_code)> wait_drain = [&](beast::error_code) {
    if (g_in_flight.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
      for (auto& l : loops) l->stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(10));
    drain.async_wait(wait_drain);
  };
  signals.async_wait([&](beast::error_code, int sig) {
    spdlog::info(R"({{"type":"shutdown","signal":{},"in_flight":{}}})", sig, g_in_flight.load());
    g_stopping = true;
    listener->stop();
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(app.config.shutdown_grace_s);
    wait_drain({});
  });

  // A handler that throws is a bug, but it must not take the server down
  // with every request in flight: log it and keep the loop running.
  auto run = [](asio::io_context& loop) {
    for (;;) {
      try {
        loop.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error(R"({{"type":"event_loop_exception","error":{}}})", boost::json::serialize(boost::json::string(e.what())));
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&loops, &run, i] { run(*loops[i]); });
  run(main);
  for (auto& t : pool) t.join();
}

}  // namespace epinet::http
