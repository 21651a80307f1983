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
