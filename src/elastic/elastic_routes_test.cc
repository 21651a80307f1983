#include "elastic/elastic_routes.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "storage/embedded_log_store.h"
#include "storage/fault_injection_env.h"
#include "support/compression.h"
#include "support/route_call.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

class ElasticRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedLogStoreOptions options;
    options.env = &env_;
    options.dir = dir_.path() + "/store";
    auto store = EmbeddedLogStore::Open(options, &metrics_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    state_.store = store_.get();
    state_.phase = ServerPhase::kReady;
    auto metadata = MetadataStore::Open(Env::Default(), dir_.path() + "/elasticsearch");
    ASSERT_TRUE(metadata.ok()) << metadata.status();
    metadata_ = *std::move(metadata);
    auto routing =
        IndexRouting::Create({"logs-<system>-*", "filebeat-*", "logstash-*", "<system>-*"});
    ASSERT_TRUE(routing.ok());
    context_ = std::make_unique<ElasticContext>();
    context_->state = &state_;
    context_->routing = *std::move(routing);
    context_->metadata = metadata_.get();
    context_->node_name = "test-node";
    AddElasticRoutes(&router_, context_.get(), &metrics_);
  }
  void TearDown() override { store_->Close(); }

  HttpResponse Call(std::string method, std::string path, std::string body = "") {
    return testing::CallRoute(router_, std::move(method), std::move(path), std::move(body));
  }

  // The stored records, newest first.
  std::vector<LogRecord> Stored() {
    SearchRequest request;
    request.limit = 100;
    auto result = store_->Search(request);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->hits : std::vector<LogRecord>{};
  }

  static bool HasProductHeader(const HttpResponse& response) {
    return std::ranges::any_of(response.headers, [](const auto& header) {
      return header.first == "X-Elastic-Product" && header.second == "Elasticsearch";
    });
  }

  testing::TempDir dir_;
  FaultInjectionEnv env_{Env::Default()};
  MetricsRegistry metrics_;
  ServerState state_;
  Router router_ = MakeElasticRouter();
  std::unique_ptr<EmbeddedLogStore> store_;
  std::unique_ptr<MetadataStore> metadata_;
  std::unique_ptr<ElasticContext> context_;
};

TEST_F(ElasticRoutesTest, RootAnswersLikeElasticsearch8) {
  HttpResponse root = Call("GET", "/");
  ASSERT_EQ(root.status, 200);
  EXPECT_TRUE(HasProductHeader(root));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(root.body);
  EXPECT_EQ(std::string_view(doc["name"]), "test-node");
  EXPECT_EQ(std::string_view(doc["cluster_uuid"]), metadata_->cluster_uuid());
  EXPECT_TRUE(std::string_view(doc["version"]["number"]).starts_with("8."));
  EXPECT_EQ(std::string_view(doc["version"]["build_flavor"]), "default");
  EXPECT_EQ(std::string_view(doc["tagline"]), "You Know, for Search");
  EXPECT_FALSE(std::string_view(doc["version"]["lucene_version"]).empty());
  // Unknown paths and wrong methods answer in Elasticsearch's shape too.
  HttpResponse missing = Call("GET", "/_cat/nothing/here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(HasProductHeader(missing));
  EXPECT_NE(missing.body.find("\"root_cause\""), std::string::npos) << missing.body;
  EXPECT_EQ(Call("GET", "/_bulk").status, 405);
  // The HTTP server's own errors (413, 431, 503) take the same shape.
  HttpResponse too_large = router_.Error(413, "body_too_large", "request body over limits");
  EXPECT_TRUE(HasProductHeader(too_large));
  EXPECT_NE(too_large.body.find("\"type\":\"content_too_long_exception\""), std::string::npos)
      << too_large.body;
  for (std::string_view path : {"/_cluster/health", "/_license", "/_xpack", "/_nodes"}) {
    HttpResponse r = Call("GET", std::string(path));
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_TRUE(HasProductHeader(r)) << path;
  }
}

TEST_F(ElasticRoutesTest, BulkStoresGoodItemsAndAnswersEachOne) {
  const std::string body =
      "{\"index\":{\"_index\":\"logs-shop-default\",\"_id\":\"o-1\"}}\n"
      "{\"@timestamp\":\"2026-11-25T10:00:00Z\",\"message\":\"order placed\",\"order.id\":7}\n"
      "{\"create\":{}}\n"
      "{\"message\":\"from filebeat\",\"service\":{\"name\":\"crm\"}}\n"
      "{\"index\":{}}\n"
      "{\"message\": broken\n"
      "{\"delete\":{\"_id\":\"o-1\"}}\n"
      "{\"index\":{\"_index\":\"Bad Index\"}}\n"
      "{\"message\":\"bad index\"}\n";
  HttpResponse response = Call("POST", "/filebeat-8.19.0/_bulk", body);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(HasProductHeader(response));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(response.body);
  EXPECT_TRUE(bool(doc["errors"]));
  simdjson::dom::array items = doc["items"];
  ASSERT_EQ(items.size(), 5u);
  simdjson::dom::element first = items.at(0)["index"];
  EXPECT_EQ(int64_t(first["status"]), 201);
  EXPECT_EQ(std::string_view(first["_id"]), "o-1");
  EXPECT_EQ(std::string_view(first["result"]), "created");
  EXPECT_EQ(std::string_view(first["_index"]), "logs-shop-default");
  simdjson::dom::element second = items.at(1)["create"];
  EXPECT_EQ(int64_t(second["status"]), 201);
  EXPECT_EQ(std::string_view(second["_id"]).size(), 20u);  // generated
  EXPECT_NE(int64_t(second["_seq_no"]), int64_t(first["_seq_no"]));
  EXPECT_EQ(int64_t(items.at(2)["index"]["status"]), 400);
  EXPECT_EQ(std::string_view(items.at(2)["index"]["error"]["type"]), "document_parsing_exception");
  EXPECT_NE(std::string_view(items.at(2)["index"]["error"]["reason"]).find("line 5"),
            std::string_view::npos);
  EXPECT_EQ(int64_t(items.at(3)["delete"]["status"]), 400);
  EXPECT_NE(std::string_view(items.at(3)["delete"]["error"]["reason"]).find("append-only"),
            std::string_view::npos);
  EXPECT_EQ(std::string_view(items.at(4)["index"]["error"]["type"]),
            "invalid_index_name_exception");

  const std::vector<LogRecord> stored = Stored();
  ASSERT_EQ(stored.size(), 2u);
  for (const LogRecord& r : stored) {
    if (r.message == "order placed") {
      EXPECT_EQ(r.system, "shop");  // from the data stream's name
      EXPECT_EQ(std::get<std::string>(*r.FindAttribute("_index")), "logs-shop-default");
    } else {
      EXPECT_EQ(r.message, "from filebeat");
      EXPECT_EQ(r.system, "crm");  // filebeat-*: from service.name
    }
  }
  // Indices written to exist.
  EXPECT_EQ(Call("HEAD", "/logs-shop-default").status, 200);
  EXPECT_EQ(Call("HEAD", "/logs-mes-default").status, 404);
}

TEST_F(ElasticRoutesTest, BrokenBulkBodiesFailWhole) {
  HttpResponse broken = Call("POST", "/_bulk", "{\"index\":{}}\n{}\n");
  EXPECT_EQ(broken.status, 400);
  EXPECT_NE(broken.body.find("index is missing"), std::string::npos) << broken.body;
  EXPECT_EQ(Call("POST", "/_bulk", "\n").status, 400);
  EXPECT_TRUE(Stored().empty());
}

TEST_F(ElasticRoutesTest, SingleDocumentsAreStored) {
  HttpResponse put = Call("PUT", "/logs-crm-default/_doc/c-9", R"({"message":"customer saved"})");
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_NE(put.body.find("\"_id\":\"c-9\""), std::string::npos);
  HttpResponse post = Call("POST", "/logs-crm-default/_doc", R"({"message":"second"})");
  ASSERT_EQ(post.status, 201) << post.body;
  HttpResponse create = Call("PUT", "/logs-mes-default/_create/m-1", R"({"message":"third"})");
  ASSERT_EQ(create.status, 201) << create.body;
  HttpResponse bad = Call("POST", "/logs-crm-default/_doc", R"({"@timestamp":"yesterday"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("document_parsing_exception"), std::string::npos) << bad.body;
  EXPECT_EQ(Stored().size(), 3u);
}

TEST_F(ElasticRoutesTest, AFullDiskAnswers503AndStoresNothing) {
  env_.SetDiskFull(true);
  HttpResponse full =
      Call("POST", "/_bulk", "{\"index\":{\"_index\":\"a-b\"}}\n{\"message\":\"x\"}\n");
  EXPECT_EQ(full.status, 503) << full.body;
  EXPECT_TRUE(HasProductHeader(full));
  env_.SetDiskFull(false);
  EXPECT_TRUE(Stored().empty());
}

TEST_F(ElasticRoutesTest, TemplatesPoliciesAndPipelinesAreKeptAsGiven) {
  EXPECT_EQ(Call("HEAD", "/_index_template/filebeat-8.19.0").status, 404);
  EXPECT_EQ(Call("GET", "/_index_template/filebeat-8.19.0").status, 404);
  HttpResponse put = Call("PUT", "/_index_template/filebeat-8.19.0",
                          R"({"index_patterns":["filebeat-8.19.0"],"data_stream":{}})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body, R"({"acknowledged":true})");
  EXPECT_EQ(Call("HEAD", "/_index_template/filebeat-8.19.0").status, 200);
  EXPECT_EQ(Call("GET", "/_index_template/filebeat-*").body,
            R"({"index_templates":[{"name":"filebeat-8.19.0","index_template":)"
            R"({"index_patterns":["filebeat-8.19.0"],"data_stream":{}}}]})");

  ASSERT_EQ(Call("PUT", "/_ilm/policy/filebeat", R"({"policy":{"phases":{}}})").status, 200);
  EXPECT_EQ(Call("GET", "/_ilm/policy/filebeat").body,
            R"({"filebeat":{"version":1,"policy":{"phases":{}}}})");
  ASSERT_EQ(Call("PUT", "/_ingest/pipeline/p1", R"({"processors":[]})").status, 200);
  EXPECT_EQ(Call("GET", "/_ingest/pipeline/p1").body, R"({"p1":{"processors":[]}})");
  EXPECT_EQ(Call("PUT", "/_ingest/pipeline/p2", "not json").status, 400);
  // Shippers may compress their set-up requests too.
  HttpRequest gzipped;
  gzipped.method = "PUT";
  gzipped.path = "/_index_template/zipped";
  gzipped.headers = {{"content-encoding", "gzip"}};
  gzipped.body = testing::Gzip(R"({"index_patterns":["z-*"]})");
  EXPECT_EQ(testing::CallRoute(router_, gzipped).status, 200);
  EXPECT_EQ(metadata_->Get(MetadataKind::kIndexTemplate, "zipped"),
            R"({"index_patterns":["z-*"]})");

  EXPECT_EQ(Call("PUT", "/orders").status, 200);
  EXPECT_EQ(Call("PUT", "/orders").status, 400);  // exists
  EXPECT_EQ(Call("PUT", "/Orders").status, 400);  // upper case
  EXPECT_EQ(Call("HEAD", "/orders").status, 200);
  EXPECT_EQ(Call("PUT", "/_data_stream/logs-shop-default").status, 200);
  HttpResponse stream = Call("GET", "/_data_stream/logs-shop-default");
  EXPECT_NE(stream.body.find("\"name\":\"logs-shop-default\""), std::string::npos) << stream.body;
  EXPECT_EQ(Call("GET", "/_data_stream/logs-crm-default").status, 404);
}

}  // namespace
}  // namespace mayak
