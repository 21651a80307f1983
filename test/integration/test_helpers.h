// Small helpers shared by the integration tests.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "client/http_client.h"
#include "simdjson.h"

namespace mayak::testing {

// A parsed JSON document that owns its parser (simdjson elements point into it).
class ParsedJson {
 public:
  explicit ParsedJson(std::string_view text) : text_(text) {
    ok_ = !parser_.parse(text_).get(root_);
  }
  bool ok() const { return ok_; }
  simdjson::dom::element root() const { return root_; }
  simdjson::dom::element operator[](std::string_view key) const {
    return root_[key].value_unsafe();
  }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool ok_ = false;
};

// Runs a shell command; returns its exit code and fills `output` with its
// stdout and stderr.
inline int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output->append(buffer, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// POSTs NDJSON to /api/v1/logs.
inline HttpReply PostLogs(HttpClient& client, std::string body,
                          const std::map<std::string, std::string>& headers = {}) {
  auto reply = client.Send("POST", "/api/v1/logs", std::move(body), headers);
  return reply.ok() ? *reply : HttpReply{-1, std::string(reply.status().message()), {}};
}

// GETs /api/v1/search with an already encoded query string.
inline HttpReply Search(HttpClient& client, std::string_view query_string) {
  auto reply = client.Send("GET", std::string("/api/v1/search?") + std::string(query_string));
  return reply.ok() ? *reply : HttpReply{-1, std::string(reply.status().message()), {}};
}

}  // namespace mayak::testing
