#include "client/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <limits>

#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "common/strings.h"

namespace mayak {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpClient::Connection {
  net::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool connected = false;
};

namespace {

http::request<http::string_body> MakeRequest(std::string_view method, std::string_view target,
                                             const std::string& host, std::string body,
                                             const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, host);
  request.set(http::field::user_agent, "mayak-cli");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::move(body);
  request.prepare_payload();
  request.keep_alive(true);
  return request;
}

template <typename Fields>
void CopyHeaders(const Fields& fields, HttpReply* reply) {
  for (const auto& field : fields) {
    reply->headers[ToLower(std::string_view(field.name_string()))] = std::string(field.value());
  }
}

}  // namespace

HttpClient::HttpClient(std::string host, std::string port)
    : host_(std::move(host)),
      port_(std::move(port)),
      base_url_(StrCat("http://", host_, ":", port_)),
      connection_(std::make_unique<Connection>()) {}

HttpClient::~HttpClient() = default;

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(std::string_view base_url) {
  std::string_view rest = StripWhitespace(base_url);
  if (rest.starts_with("https://")) {
    return absl::InvalidArgumentError("https is not supported by this version; use http://");
  }
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  if (rest.ends_with("/")) rest.remove_suffix(1);
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    return absl::InvalidArgumentError(
        StrCat("'", base_url, "' is not a server address: expected http://HOST:PORT"));
  }
  std::string host(rest.substr(0, colon));
  if (host.starts_with("[") && host.ends_with("]")) {
    host = host.substr(1, host.size() - 2);
  }
  return std::unique_ptr<HttpClient>(new HttpClient(host, std::string(rest.substr(colon + 1))));
}

absl::Status HttpClient::Connect(Connection& c) {
  if (c.connected) return absl::OkStatus();
  beast::error_code ec;
  tcp::resolver resolver(c.io);
  auto endpoints = resolver.resolve(host_, port_, ec);
  if (!ec) c.stream.connect(endpoints, ec);
  if (ec) {
    return absl::UnavailableError(StrCat("cannot connect to ", base_url_, ": ", ec.message(),
                                         " (is `mayak server` running there? "
                                         "set --server or MAYAK_SERVER)"));
  }
  c.connected = true;
  // Blocking calls ignore tcp_stream's timeouts; the socket's own apply.
  const timeval timeout{300, 0};
  ::setsockopt(c.stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout,
               sizeof(timeout));
  ::setsockopt(c.stream.socket().native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout,
               sizeof(timeout));
  return absl::OkStatus();
}

absl::StatusOr<HttpReply> HttpClient::Stream(std::string_view method, std::string_view target,
                                             std::string body,
                                             const std::map<std::string, std::string>& headers,
                                             const std::function<bool(std::string_view)>& on_data) {
  Connection c;
  if (absl::Status s = Connect(c); !s.ok()) return s;
  const auto request = MakeRequest(method, target, host_, std::move(body), headers);
  beast::error_code ec;
  http::write(c.stream, request, ec);
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (!ec) http::read_header(c.stream, c.buffer, parser, ec);
  if (ec) {
    return absl::UnavailableError(StrCat("request to ", base_url_, " failed: ", ec.message()));
  }
  HttpReply reply;
  reply.status = static_cast<int>(parser.get().result_int());
  CopyHeaders(parser.get(), &reply);
  std::array<char, 16384> chunk;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    http::read_some(c.stream, c.buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    const size_t n = chunk.size() - parser.get().body().size;
    if (reply.status >= 300) {
      reply.body.append(chunk.data(), n);
    } else if (n > 0 && !on_data(std::string_view(chunk.data(), n))) {
      break;
    }
    if (ec) {
      return absl::UnavailableError(
          StrCat("the response from ", base_url_, " broke off: ", ec.message()));
    }
  }
  beast::error_code ignored;
  c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return reply;
}

absl::StatusOr<HttpReply> HttpClient::Send(std::string_view method, std::string_view target,
                                           std::string body,
                                           const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> request =
      MakeRequest(method, target, host_, std::move(body), headers);

  // A kept-alive connection may have been closed by the server while idle:
  // one retry on a fresh connection covers that.
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Connection& c = *connection_;
    const bool reused = c.connected;
    if (absl::Status s = Connect(c); !s.ok()) return s;
    http::write(c.stream, request, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (!ec) http::read(c.stream, c.buffer, parser, ec);
    if (ec) {
      beast::error_code ignored;
      c.stream.socket().close(ignored);
      connection_ = std::make_unique<Connection>();
      // Only a kept-alive connection that the server closed while idle is
      // worth a second try; otherwise the request may have been processed.
      if (reused && !parser.got_some()) continue;
      break;
    }
    auto response = parser.release();
    HttpReply reply;
    reply.status = static_cast<int>(response.result_int());
    reply.body = std::move(response.body());
    CopyHeaders(response, &reply);
    if (!response.keep_alive()) {
      beast::error_code ignored;
      c.stream.socket().close(ignored);
      connection_ = std::make_unique<Connection>();
    }
    return reply;
  }
  return absl::UnavailableError(StrCat("request to ", base_url_, " failed: ", ec.message()));
}

}  // namespace mayak
