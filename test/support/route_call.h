// Calls a Router as the HTTP server would and waits for the response, which a
// handler may send later from another thread (ingest replies from the WAL's).
#pragma once

#include <future>
#include <memory>
#include <string>
#include <utility>

#include "api/router.h"

namespace mayak::testing {

inline HttpResponse CallRoute(const Router& router, HttpRequest request) {
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  router.Dispatch(std::move(request),
                  [promise](HttpResponse r) { promise->set_value(std::move(r)); });
  return promise->get_future().get();
}

inline HttpResponse CallRoute(const Router& router, std::string method, std::string path,
                              std::string body = "") {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.body = std::move(body);
  return CallRoute(router, std::move(request));
}

}  // namespace mayak::testing
