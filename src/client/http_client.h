// A small blocking HTTP/1.1 client for the command line tools and tests:
// one keep-alive connection to one server, reconnected when it drops.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mayak {

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

class HttpClient {
 public:
  // `base_url`: "http://HOST:PORT" or "HOST:PORT".
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(std::string_view base_url);
  ~HttpClient();

  // Sends one request. A connection error is an Unavailable status that
  // names the server; any HTTP status is a reply.
  absl::StatusOr<HttpReply> Send(std::string_view method, std::string_view target,
                                 std::string body = "",
                                 const std::map<std::string, std::string>& headers = {});

  // Sends one request on a connection of its own and hands the response
  // body to `on_data` as it arrives, until the server ends it or `on_data`
  // returns false (a live tail, NDJSON). Returns the status and headers; the
  // body is in the reply only for statuses of 300 and above.
  absl::StatusOr<HttpReply> Stream(std::string_view method, std::string_view target,
                                   std::string body,
                                   const std::map<std::string, std::string>& headers,
                                   const std::function<bool(std::string_view)>& on_data);

  const std::string& base_url() const { return base_url_; }

 private:
  struct Connection;
  HttpClient(std::string host, std::string port);
  // Connects `c` if it is not; Unavailable naming the server when it fails.
  absl::Status Connect(Connection& c);

  std::string host_;
  std::string port_;
  std::string base_url_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace mayak
