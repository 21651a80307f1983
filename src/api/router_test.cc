#include "api/router.h"

#include "gtest/gtest.h"
#include "support/route_call.h"

namespace mayak {
namespace {

using testing::CallRoute;

TEST(RouterTest, RoutesByMethodAndPath) {
  Router router;
  router.Add("GET", "/a", [](const HttpRequest&, Respond respond) { respond(JsonOk("get")); });
  router.Add("POST", "/a", [](const HttpRequest&, Respond respond) { respond(JsonOk("post")); });
  EXPECT_EQ(CallRoute(router, "GET", "/a").body, "get");
  EXPECT_EQ(CallRoute(router, "POST", "/a").body, "post");
  EXPECT_EQ(CallRoute(router, "HEAD", "/a").body, "get");
  HttpResponse wrong = CallRoute(router, "PUT", "/a");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.at(0).second, "GET, POST");
  HttpResponse missing = CallRoute(router, "GET", "/b");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"code\":\"not_found\""), std::string::npos);
}

TEST(RouterTest, PathParametersMatchOneSegmentAndLiteralsWin) {
  Router router;
  const auto echo = [](std::string_view what) {
    return [what = std::string(what)](const HttpRequest& request, Respond respond) {
      std::string body = what;
      for (const auto& [name, value] : request.path_params) body += " " + name + "=" + value;
      respond(JsonOk(body));
    };
  };
  router.Add("POST", "/_bulk", echo("bulk"));
  router.Add("POST", "/{index}/_bulk", echo("index bulk"));
  router.Add("PUT", "/{index}", echo("create index"));
  router.Add("HEAD", "/{index}", echo("index exists"));
  router.Add("GET", "/{index}", echo("get index"));
  router.Add("PUT", "/{index}/_doc/{id}", echo("doc"));
  EXPECT_EQ(CallRoute(router, "POST", "/_bulk").body, "bulk");
  EXPECT_EQ(CallRoute(router, "POST", "/logs-shop/_bulk").body, "index bulk index=logs-shop");
  EXPECT_EQ(CallRoute(router, "PUT", "/logs-shop/_doc/7").body, "doc id=7 index=logs-shop");
  // A route of HEAD's own comes before GET's.
  EXPECT_EQ(CallRoute(router, "HEAD", "/logs-shop").body, "index exists index=logs-shop");
  // The literal route matched the path, so the method is what is wrong.
  HttpResponse wrong = CallRoute(router, "GET", "/_bulk");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(CallRoute(router, "PUT", "/logs-shop/_doc").status, 404);
  EXPECT_EQ(CallRoute(router, "PUT", "/logs-shop/_doc/").status, 404);  // an empty id
}

TEST(RouterTest, ErrorsTakeTheRoutersShape) {
  Router router([](int status, std::string_view code, std::string_view message) {
    HttpResponse response;
    response.status = status;
    response.body = std::string(code) + ": " + std::string(message);
    return response;
  });
  router.Add("GET", "/a", [](const HttpRequest&, Respond respond) { respond(JsonOk("")); });
  EXPECT_EQ(CallRoute(router, "GET", "/b").body, "not_found: no such endpoint: GET /b");
  EXPECT_EQ(CallRoute(router, "POST", "/a").status, 405);
}

TEST(HttpMessageTest, DecodesQueryStrings) {
  auto params = ParseQueryString("q=a%20b+c&from=now-1h&flag&q=second&bad=%zz");
  EXPECT_EQ(params.find("q")->second, "a b c");
  EXPECT_EQ(params.count("q"), 2u);
  EXPECT_EQ(params.find("from")->second, "now-1h");
  EXPECT_EQ(params.find("flag")->second, "");
  EXPECT_EQ(params.find("bad")->second, "%zz");
  EXPECT_EQ(PercentDecode(PercentEncode("a b/ü&=\"x\""), false), "a b/ü&=\"x\"");
}

}  // namespace
}  // namespace mayak
