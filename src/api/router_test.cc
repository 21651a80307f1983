#include "api/router.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

HttpResponse Dispatch(const Router& router, std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  HttpResponse out;
  router.Dispatch(request, [&out](HttpResponse r) { out = std::move(r); });
  return out;
}

TEST(RouterTest, RoutesByMethodAndPath) {
  Router router;
  router.Add("GET", "/a", [](const HttpRequest&, Respond respond) { respond(JsonOk("get")); });
  router.Add("POST", "/a", [](const HttpRequest&, Respond respond) { respond(JsonOk("post")); });
  EXPECT_EQ(Dispatch(router, "GET", "/a").body, "get");
  EXPECT_EQ(Dispatch(router, "POST", "/a").body, "post");
  EXPECT_EQ(Dispatch(router, "HEAD", "/a").body, "get");
  HttpResponse wrong = Dispatch(router, "PUT", "/a");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.at(0).second, "GET, POST");
  HttpResponse missing = Dispatch(router, "GET", "/b");
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
