// A small blocking HTTP/1.1 client for the command line tools and tests:
// one keep-alive connection to one server, reconnected when it drops.
#pragma once

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

  const std::string& base_url() const { return base_url_; }

 private:
  struct Connection;
  HttpClient(std::string host, std::string port);

  std::string host_;
  std::string port_;
  std::string base_url_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace mayak
