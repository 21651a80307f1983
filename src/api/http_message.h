// Requests and responses as route handlers see them: plain structs, so that
// handlers know nothing of sockets or Boost.Beast and are tested directly.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mayak {

struct HttpRequest {
  std::string method;                              // "GET"
  std::string path;                                // "/api/v1/search", without the query string
  std::multimap<std::string, std::string> params;  // decoded query string
  std::map<std::string, std::string> headers;      // names lower-cased
  std::string body;
  // Segments matched by a route's `{name}` parts, decoded (see Router).
  std::map<std::string, std::string> path_params;
  // Set by the server once the client has closed its connection while the
  // request was being handled: work for it may stop. Null outside a server.
  std::shared_ptr<const std::atomic<bool>> client_gone;

  // The first value of a query parameter, or "".
  std::string Param(std::string_view name) const;
  // A header's value by lower-case name, or "".
  std::string Header(std::string_view lower_name) const;
  // A path parameter's value, or "".
  std::string PathParam(std::string_view name) const;
};

// The body of a streamed response (Server-Sent Events, NDJSON), written as
// it is produced in HTTP chunks. Every method may be called from any thread.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues `data` to be sent. False once the stream is closed (the client
  // went away, or End was called): stop producing.
  virtual bool Write(std::string data) = 0;
  // Ends the body; the connection then closes.
  virtual void End() = 0;
  virtual bool closed() const = 0;
  // Bytes queued and not yet taken by the client (a slow reader's backlog).
  virtual size_t pending_bytes() const = 0;
  // Runs once, on a server thread, when the stream closes for any reason.
  // Set it before the first Write; keep it short.
  virtual void OnClose(std::function<void()> callback) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close_connection = false;
  // Set for a streamed response: the server sends the status and headers,
  // then calls this with the stream to write the body to (`body` is unused).
  std::function<void(std::shared_ptr<ResponseStream>)> stream;
};

// Completes a request; may be called from any thread, exactly once.
using Respond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(const HttpRequest&, Respond)>;

// {"error":{"code":"...","message":"..."}} with `status`.
HttpResponse JsonError(int status, std::string_view code, std::string_view message);
HttpResponse JsonOk(std::string body);

// Splits "a=1&b=x%20y" into decoded pairs ('+' is a space).
std::multimap<std::string, std::string> ParseQueryString(std::string_view query);
std::string PercentDecode(std::string_view text, bool plus_is_space);
std::string PercentEncode(std::string_view text);

}  // namespace mayak
