// Maps (method, path) to a handler. Paths match exactly; a known path with
// another method gets 405 and an Allow header, an unknown path 404.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/http_message.h"

namespace mayak {

class Router {
 public:
  // `route` names the endpoint in metrics ("/api/v1/logs").
  void Add(std::string_view method, std::string_view path, HttpHandler handler);

  // Runs the matching handler, or responds 404/405. Returns the route name
  // for metrics ("unmatched" when none matched).
  std::string Dispatch(const HttpRequest& request, Respond respond) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    HttpHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace mayak
