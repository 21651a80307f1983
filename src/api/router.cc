#include "api/router.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"

namespace mayak {
namespace {

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::vector<std::string_view> segments;
  while (true) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return segments;
    path.remove_prefix(slash + 1);
  }
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(std::string_view method, std::string_view path, HttpHandler handler) {
  Route route{std::string(method), std::string(path), {}, 0, std::move(handler)};
  for (std::string_view segment : SplitPath(path)) {
    route.segments.emplace_back(segment);
    if (!IsParameter(segment)) ++route.literals;
  }
  routes_.push_back(std::move(route));
}

bool Router::Matches(const Route& route, const std::vector<std::string_view>& segments,
                     std::map<std::string, std::string>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (IsParameter(want) ? segments[i].empty() : want != segments[i]) return false;
  }
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (IsParameter(want)) (*params)[want.substr(1, want.size() - 2)] = std::string(segments[i]);
  }
  return true;
}

std::string Router::Dispatch(HttpRequest request, Respond respond) const {
  const std::vector<std::string_view> segments = SplitPath(request.path);
  // Only the routes whose paths match best count (most literal segments):
  // GET /_bulk is a wrong method for /_bulk, not an index named "_bulk".
  std::vector<std::pair<const Route*, std::map<std::string, std::string>>> matches;
  size_t most_literals = 0;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    if (!Matches(route, segments, &params)) continue;
    most_literals = std::max(most_literals, route.literals);
    matches.emplace_back(&route, std::move(params));
  }
  const Route* best = nullptr;
  std::map<std::string, std::string>* best_params = nullptr;
  std::vector<std::string> allowed;
  for (auto& [route, params] : matches) {
    if (route->literals != most_literals) continue;
    // HEAD is answered like GET (the server drops the body) unless a route
    // has HEAD of its own.
    if (route->method == request.method ||
        (request.method == "HEAD" && route->method == "GET" && best == nullptr)) {
      best = route;
      best_params = &params;
    } else if (std::find(allowed.begin(), allowed.end(), route->method) == allowed.end()) {
      allowed.push_back(route->method);
    }
  }
  if (best != nullptr) {
    request.path_params = std::move(*best_params);
    best->handler(request, std::move(respond));
    return best->path;
  }
  if (!allowed.empty()) {
    HttpResponse response = error_response_(405, "method_not_allowed",
                                            StrCat(request.method, " is not allowed on ",
                                                   request.path, "; use ", Join(allowed, " or ")));
    response.headers.emplace_back("Allow", Join(allowed, ", "));
    respond(std::move(response));
    return "unmatched";
  }
  respond(error_response_(404, "not_found",
                          StrCat("no such endpoint: ", request.method, " ", request.path)));
  return "unmatched";
}

}  // namespace mayak
