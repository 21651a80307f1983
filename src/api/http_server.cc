#include "api/http_server.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <optional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "common/logging.h"
#include "common/strings.h"

namespace mayak {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr uint32_t kMaxHeaderBytes = 64 * 1024;
// Bodies above this are read in kBodyReadBytes at a time (see ReadBody).
constexpr uint64_t kSmallBodyBytes = 16 * 1024;
constexpr size_t kBodyReadBytes = 64 * 1024;
// A body must keep arriving: a client that stalls mid-body this long is cut off.
constexpr auto kBodyReadTimeout = std::chrono::minutes(5);
// How long and how much a refused body is drained before the connection closes.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr uint64_t kMaxLingerBytes = 64ull << 20;

// The body of a streamed response, between the producer (any thread) and
// the session writing it out (its strand). Bytes written are gathered into
// one buffer, sent as one chunk while the previous chunk is in flight.
class ChunkStream final : public ResponseStream {
 public:
  // `wake` makes the session take what is queued (posted to its strand).
  explicit ChunkStream(std::function<void()> wake) : wake_(std::move(wake)) {}

  bool Write(std::string data) override {
    bool wake = false;
    {
      absl::MutexLock lock(&mu_);
      if (closed_ || ended_) return false;
      queued_.append(data);
      wake = !wake_posted_;
      wake_posted_ = true;
    }
    if (wake) wake_();
    return true;
  }

  void End() override {
    {
      absl::MutexLock lock(&mu_);
      if (closed_ || ended_) return;
      ended_ = true;
      wake_posted_ = true;
    }
    wake_();
  }

  bool closed() const override {
    absl::MutexLock lock(&mu_);
    return closed_ || ended_;
  }

  size_t pending_bytes() const override {
    absl::MutexLock lock(&mu_);
    return queued_.size() + in_flight_;
  }

  void OnClose(std::function<void()> callback) override {
    {
      absl::MutexLock lock(&mu_);
      if (!closed_) {
        on_close_ = std::move(callback);
        return;
      }
    }
    callback();
  }

  // For the session: what to send next (empty when nothing is queued).
  std::string Take(bool* ended) {
    absl::MutexLock lock(&mu_);
    std::string data;
    data.swap(queued_);
    in_flight_ = data.size();
    wake_posted_ = false;
    *ended = ended_;
    return data;
  }
  void Sent() {
    absl::MutexLock lock(&mu_);
    in_flight_ = 0;
  }
  // The connection is done with: later writes fail, the callback runs.
  void MarkClosed() {
    std::function<void()> callback;
    {
      absl::MutexLock lock(&mu_);
      if (closed_) return;
      closed_ = true;
      queued_.clear();
      callback.swap(on_close_);
    }
    if (callback) callback();
  }

 private:
  const std::function<void()> wake_;
  mutable absl::Mutex mu_;
  std::string queued_ ABSL_GUARDED_BY(mu_);
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool wake_posted_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> on_close_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

struct HttpServer::Shared {
  net::io_context& io;
  const Router* router;
  HttpServerOptions options;
  MetricsRegistry* metrics;
  std::atomic<bool> draining{false};
  std::atomic<int> active_requests{0};
  absl::Mutex mu;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors ABSL_GUARDED_BY(mu);
  // Streamed responses under way, ended when the server drains.
  std::vector<std::weak_ptr<ChunkStream>> streams ABSL_GUARDED_BY(mu);

  void AddStream(const std::shared_ptr<ChunkStream>& stream) {
    absl::MutexLock lock(&mu);
    std::erase_if(streams, [](const std::weak_ptr<ChunkStream>& s) { return s.expired(); });
    streams.push_back(stream);
  }

  Shared(net::io_context& io_context, const Router* r, HttpServerOptions o, MetricsRegistry* m)
      : io(io_context), router(r), options(o), metrics(m) {}

  void RecordRequest(const std::string& route, int status, double seconds) const {
    const MetricLabels labels = {{"route", route}, {"status", StrCat(status)}};
    metrics->GetCounter("mayak_http_requests_total", "HTTP requests by route and status.", labels)
        ->Add();
    metrics
        ->GetHistogram("mayak_http_request_duration_seconds",
                       "HTTP request latency by route and status, from the end of the header "
                       "to the end of the response.",
                       labels, LatencyBucketsSeconds())
        ->Observe(seconds);
  }
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(shared_->options.max_body_bytes);
    stream_.expires_after(std::chrono::nanoseconds(shared_->options.idle_timeout_ns));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      BeginRequest("unmatched");
      Finish(shared_->router->Error(431, "header_too_large",
                                    StrCat("request header over ", kMaxHeaderBytes, " bytes")),
             /*force_close=*/true);
      return;
    }
    if (ec == http::error::body_limit) {
      // Beast checks Content-Length against the limit while parsing the header.
      BeginRequest("unmatched");
      body_unread_ = true;
      Finish(BodyTooLarge(), true);
      return;
    }
    if (ec) return Close();  // idle timeout, client gone, or garbage
    auto& header = parser_->get();
    BeginRequest("unmatched");
    body_unread_ = true;
    if (shared_->draining.load()) {
      Finish(shared_->router->Error(503, "shutting_down",
                                    "the server is shutting down; retry elsewhere"),
             true);
      return;
    }
    if (auto length = parser_->content_length();
        length && *length > shared_->options.max_body_bytes) {
      Finish(BodyTooLarge(), true);
      return;
    }
    stream_.expires_after(kBodyReadTimeout);
    if (EqualsIgnoreCase(std::string_view(header[http::field::expect]), "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     header.version());
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                          if (wec) return self->Abandon();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    // Beast reads at most the buffer's spare capacity (and never under 512
    // bytes), and a flat_buffer that is consumed as fast as it fills never
    // grows: without room made here a 4 MiB body takes 8,000 reads, each with
    // its timer armed again. With it, 64 KiB a read.
    if (!parser_->content_length() || *parser_->content_length() > kSmallBodyBytes) {
      buffer_.reserve(kBodyReadBytes);
    }
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  HttpResponse BodyTooLarge() const {
    return shared_->router->Error(
        413, "body_too_large",
        StrCat("request body over limits.max_body (", shared_->options.max_body_bytes,
               " bytes); split it into smaller requests"));
  }

  void OnBody(beast::error_code ec) {
    if (ec == http::error::body_limit) return Finish(BodyTooLarge(), true);
    body_unread_ = false;
    buffer_.shrink_to_fit();  // an idle connection holds no read room
    // The client went away or sent a broken body: nothing of it is handled.
    if (ec) return Abandon();
    http::request<http::string_body> raw = parser_->release();
    keep_alive_ = raw.keep_alive();
    version_ = raw.version();
    head_ = raw.method() == http::verb::head;

    HttpRequest request;
    request.method = std::string(raw.method_string());
    const std::string_view target = raw.target();
    const size_t question = target.find('?');
    request.path = PercentDecode(target.substr(0, question), false);
    if (question != std::string_view::npos) {
      request.params = ParseQueryString(target.substr(question + 1));
    }
    for (const auto& field : raw) {
      request.headers[ToLower(std::string_view(field.name_string()))] = std::string(field.value());
    }
    request.body = std::move(raw.body());
    client_gone_ = std::make_shared<std::atomic<bool>>(false);
    request.client_gone = client_gone_;
    stream_.expires_never();  // the handler may wait for the disk

    auto self = shared_from_this();
    route_ = shared_->router->Dispatch(std::move(request), [self](HttpResponse response) {
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Finish(std::move(response), false);
      });
    });
    // The response is posted to this strand, so it comes after this.
    awaiting_response_ = true;
    WatchForHangUp();
  }

  // While a handler works, notices a client that closes its connection
  // (a query it no longer wants), by peeking at the socket when it becomes
  // readable: end of stream sets client_gone. Bytes there are the next
  // request, left for after the response.
  void WatchForHangUp() {
    stream_.socket().async_wait(
        tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
          if (ec || !self->awaiting_response_) return;
          char byte = 0;
          const ssize_t n =
              ::recv(self->stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
          if (n > 0) return;
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return self->WatchForHangUp();
          }
          self->client_gone_->store(true);
        });
  }

  void BeginRequest(std::string route) {
    route_ = std::move(route);
    start_ = std::chrono::steady_clock::now();
    shared_->active_requests.fetch_add(1);
    counted_ = true;
  }

  void EndRequest(int status) {
    if (!counted_) return;
    counted_ = false;
    shared_->RecordRequest(
        route_, status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    shared_->active_requests.fetch_sub(1);
  }

  void Finish(HttpResponse response, bool force_close) {
    if (awaiting_response_) {
      awaiting_response_ = false;
      beast::error_code ignored;
      stream_.socket().cancel(ignored);  // the hang-up watch
    }
    if (response.stream && !head_) return StartStream(std::move(response));
    const bool close =
        force_close || response.close_connection || !keep_alive_ || shared_->draining.load();
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_);
    res->set(http::field::server, "mayak");
    res->set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->keep_alive(!close);
    const size_t body_size = response.body.size();
    res->body() = head_ ? std::string() : std::move(response.body);
    res->prepare_payload();
    if (head_) res->content_length(body_size);
    const int status = response.status;
    stream_.expires_after(kBodyReadTimeout);
    http::async_write(
        stream_, *res,
        [self = shared_from_this(), res, close, status](beast::error_code ec, size_t) {
          self->EndRequest(status);
          if (!ec && self->body_unread_) return self->LingeringClose();
          if (ec || close) return self->Close();
          self->keep_alive_ = true;
          self->head_ = false;
          self->version_ = 11;
          self->ReadHeader();
        });
  }

  // Sends the status and headers, then whatever the producer writes to the
  // stream, chunked (HTTP/1.0: as it comes, ended by closing). The
  // connection closes when the stream ends or the client goes away; a client
  // that takes nothing for kBodyReadTimeout is cut off.
  void StartStream(HttpResponse response) {
    stream_status_ = response.status;
    chunked_ = version_ >= 11;
    auto res = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(response.status), version_);
    res->set(http::field::server, "mayak");
    res->set(http::field::content_type, response.content_type);
    res->set(http::field::cache_control, "no-cache");
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->keep_alive(false);
    if (chunked_) res->chunked(true);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    std::weak_ptr<Session> weak = shared_from_this();
    chunk_stream_ = std::make_shared<ChunkStream>([weak, executor = stream_.get_executor()] {
      net::post(executor, [weak] {
        if (auto self = weak.lock()) self->PumpStream();
      });
    });
    shared_->AddStream(chunk_stream_);
    if (shared_->draining.load()) chunk_stream_->End();
    stream_.expires_after(kBodyReadTimeout);
    http::async_write_header(
        stream_, *serializer,
        [self = shared_from_this(), res, serializer](beast::error_code ec, size_t) {
          if (ec) return self->CloseStream();
          self->header_sent_ = true;
          self->ReadUntilHangUp();
          self->PumpStream();
        });
    response.stream(chunk_stream_);
  }

  void PumpStream() {
    if (!header_sent_ || writing_ || stream_closed_) return;
    bool ended = false;
    auto data = std::make_shared<std::string>(chunk_stream_->Take(&ended));
    if (data->empty()) {
      if (!ended) return;
      if (!chunked_) return CloseStream();
      writing_ = true;
      net::async_write(stream_, http::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code, size_t) {
                         self->writing_ = false;
                         self->CloseStream();
                       });
      return;
    }
    writing_ = true;
    stream_.expires_after(kBodyReadTimeout);
    auto done = [self = shared_from_this(), data](beast::error_code ec, size_t) {
      self->writing_ = false;
      self->chunk_stream_->Sent();
      if (ec) return self->CloseStream();
      self->PumpStream();
    };
    if (chunked_) {
      net::async_write(stream_, http::make_chunk(net::buffer(*data)), std::move(done));
    } else {
      net::async_write(stream_, net::buffer(*data), std::move(done));
    }
  }

  // A streamed response's client sends nothing more; reading tells when it
  // hangs up.
  void ReadUntilHangUp() {
    stream_.socket().async_read_some(net::buffer(discard_buffer_->data(), discard_buffer_->size()),
                                     [self = shared_from_this()](beast::error_code ec, size_t) {
                                       if (ec) return self->CloseStream();
                                       self->ReadUntilHangUp();
                                     });
  }

  void CloseStream() {
    if (stream_closed_) return;
    stream_closed_ = true;
    EndRequest(stream_status_);
    chunk_stream_->MarkClosed();
    Close();
  }

  // After refusing a request whose body was not read: stop sending, then
  // read and discard what the client still sends, for a bounded time and
  // amount, so that it gets to read the error instead of a connection reset.
  void LingeringClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    DiscardInput(0);
  }

  void DiscardInput(uint64_t discarded) {
    if (discarded > kMaxLingerBytes) return Close();
    stream_.async_read_some(net::buffer(discard_buffer_->data(), discard_buffer_->size()),
                            [self = shared_from_this(), discarded](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->DiscardInput(discarded + n);
                            });
  }

  // The request ends without a response (the connection is unusable).
  void Abandon() {
    EndRequest(499);
    Close();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::Shared> shared_;
  std::string route_;
  std::chrono::steady_clock::time_point start_;
  bool counted_ = false;
  bool body_unread_ = false;  // a refused request whose body may still be arriving
  std::shared_ptr<std::array<char, 16384>> discard_buffer_ =
      std::make_shared<std::array<char, 16384>>();
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned version_ = 11;
  // While a handler works on the request (see WatchForHangUp).
  std::shared_ptr<std::atomic<bool>> client_gone_;
  bool awaiting_response_ = false;
  // A streamed response (see StartStream).
  std::shared_ptr<ChunkStream> chunk_stream_;
  int stream_status_ = 200;
  bool chunked_ = true;
  bool header_sent_ = false;
  bool writing_ = false;
  bool stream_closed_ = false;
};

void Accept(const std::shared_ptr<tcp::acceptor>& acceptor,
            const std::shared_ptr<HttpServer::Shared>& shared) {
  acceptor->async_accept(net::make_strand(shared->io), [acceptor, shared](beast::error_code ec,
                                                                          tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      std::make_shared<Session>(std::move(socket), shared)->Start();
      Accept(acceptor, shared);
      return;
    }
    // Out of file descriptors or similar: pause instead of spinning.
    auto timer = std::make_shared<net::steady_timer>(acceptor->get_executor(),
                                                     std::chrono::milliseconds(50));
    timer->async_wait([acceptor, shared, timer](beast::error_code) { Accept(acceptor, shared); });
  });
}

}  // namespace

HttpServer::HttpServer(net::io_context& io, const Router* router, HttpServerOptions options,
                       MetricsRegistry* metrics)
    : shared_(std::make_shared<Shared>(io, router, options, metrics)) {}

HttpServer::~HttpServer() { StartDraining(); }

absl::StatusOr<std::string> HttpServer::Listen(const ListenAddress& address) {
  beast::error_code ec;
  tcp::resolver resolver(shared_->io);
  auto results = resolver.resolve(address.host, StrCat(address.port), ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError(
        StrCat("cannot resolve listen address ", address.ToString(), ": ", ec.message()));
  }
  const tcp::endpoint endpoint = results.begin()->endpoint();
  auto acceptor = std::make_shared<tcp::acceptor>(net::make_strand(shared_->io));
  const auto fail = [&](std::string_view what) {
    std::string hint;
    if (ec == net::error::address_in_use) {
      hint = "; another process holds the port: stop it, or choose another address (or off)";
    } else if (ec == net::error::access_denied) {
      hint = "; ports below 1024 need privileges";
    }
    return absl::UnavailableError(
        StrCat("cannot ", what, " ", address.ToString(), ": ", ec.message(), hint));
  };
  acceptor->open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("configure");
  acceptor->bind(endpoint, ec);
  if (ec) return fail("listen on");
  acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  const tcp::endpoint bound = acceptor->local_endpoint(ec);
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->acceptors.push_back(acceptor);
  }
  Accept(acceptor, shared_);
  const std::string host = bound.address().to_string();
  if (bound.address().is_v6()) return StrCat("[", host, "]:", bound.port());
  return StrCat(host, ":", bound.port());
}

void HttpServer::StartDraining() {
  shared_->draining.store(true);
  std::vector<std::weak_ptr<ChunkStream>> streams;
  {
    absl::MutexLock lock(&shared_->mu);
    for (auto& acceptor : shared_->acceptors) {
      net::post(acceptor->get_executor(), [acceptor] {
        beast::error_code ignored;
        acceptor->close(ignored);
      });
    }
    shared_->acceptors.clear();
    streams.swap(shared_->streams);
  }
  // Live tails and other endless responses end, so that draining does.
  for (const auto& weak : streams) {
    if (auto stream = weak.lock()) stream->End();
  }
}

int HttpServer::ActiveRequests() const { return shared_->active_requests.load(); }

}  // namespace mayak
