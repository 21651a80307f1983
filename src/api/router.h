// Maps (method, path) to a handler. A route's path is literal segments and
// `{name}` segments, which match any one segment and reach the handler as
// request.path_params["name"]; where several routes match, the one with the
// most literal segments wins (`/_bulk` before `/{index}`). A known path
// with another method gets 405 and an Allow header, an unknown path 404.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.h"

namespace mayak {

class Router {
 public:
  // Builds the 404 and 405 responses (status, code, message): APIs that
  // mimic another product answer in its error shape.
  using ErrorResponse =
      std::function<HttpResponse(int status, std::string_view code, std::string_view message)>;

  Router() = default;
  explicit Router(ErrorResponse error_response) : error_response_(std::move(error_response)) {}

  // `path` also names the endpoint in metrics ("/api/v1/logs", "/{index}/_bulk").
  void Add(std::string_view method, std::string_view path, HttpHandler handler);

  // An error reply in this router's shape (for the HTTP server's own 413,
  // 431 and 503, so that they match the API's other errors).
  HttpResponse Error(int status, std::string_view code, std::string_view message) const {
    return error_response_(status, code, message);
  }

  // Runs the matching handler, or responds 404/405. Returns the route name
  // for metrics ("unmatched" when none matched).
  std::string Dispatch(HttpRequest request, Respond respond) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    std::vector<std::string> segments;  // "{name}" for a parameter
    size_t literals = 0;                // segments that are not parameters
    HttpHandler handler;
  };
  // Whether `route` matches `segments`, filling `params` when it does.
  static bool Matches(const Route& route, const std::vector<std::string_view>& segments,
                      std::map<std::string, std::string>* params);

  ErrorResponse error_response_ = JsonError;
  std::vector<Route> routes_;
};

}  // namespace mayak
