// The HTTP/1.1 server every Mayak listener runs on (Boost.Beast): keep-alive,
// bounded header and body sizes, "Expect: 100-continue", idle timeouts, and
// per-route request counts and latencies in /metrics. Requests are handed to
// a Router; a handler may respond later from any thread, with a whole body
// or a stream (HttpResponse::stream). A client that hangs up while its
// request is handled sets HttpRequest::client_gone.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "api/router.h"
#include "common/config.h"
#include "common/metrics.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace mayak {

struct HttpServerOptions {
  uint64_t max_body_bytes = 100ull << 20;
  int64_t idle_timeout_ns = 60'000'000'000;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const Router* router, HttpServerOptions options,
             MetricsRegistry* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Returns the bound address ("127.0.0.1:41234"),
  // which tells the port when `address` asked for port 0.
  absl::StatusOr<std::string> Listen(const ListenAddress& address);

  // Stops accepting connections. From now on every request is answered 503
  // and its connection closed; requests already being handled finish, and
  // streamed responses end.
  void StartDraining();

  // Requests read and not yet fully answered.
  int ActiveRequests() const;

  // State shared with the connections, which may outlive this object.
  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace mayak
