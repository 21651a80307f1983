#include "api/router.h"

#include "common/strings.h"

namespace mayak {

void Router::Add(std::string_view method, std::string_view path, HttpHandler handler) {
  routes_.push_back({std::string(method), std::string(path), std::move(handler)});
}

std::string Router::Dispatch(const HttpRequest& request, Respond respond) const {
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    if (route.path != request.path) continue;
    // HEAD is answered like GET; the server drops the body.
    if (route.method == request.method || (request.method == "HEAD" && route.method == "GET")) {
      route.handler(request, std::move(respond));
      return route.path;
    }
    allowed.push_back(route.method);
  }
  if (!allowed.empty()) {
    HttpResponse response = JsonError(405, "method_not_allowed",
                                      StrCat(request.method, " is not allowed on ", request.path,
                                             "; use ", Join(allowed, " or ")));
    response.headers.emplace_back("Allow", Join(allowed, ", "));
    respond(std::move(response));
    return request.path;
  }
  respond(JsonError(404, "not_found",
                    StrCat("no such endpoint: ", request.method, " ", request.path,
                           " (the API is described in docs/http-api.md)")));
  return "unmatched";
}

}  // namespace mayak
