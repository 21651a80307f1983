// Traces from OpenTelemetry's own JS trace SDK (npm, tools/otel-clients):
// the shop, the CRM and the MES as three instrumented services passing W3C
// trace context over HTTP and RabbitMQ message headers, exported over
// OTLP/HTTP in both encodings and over OTLP/gRPC into the real server; read
// back through Jaeger's query API on its own port and under /jaeger/api.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server_process.h"
#include "simdjson.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

// An array by value (iterating a temporary result's value would read freed
// stack).
simdjson::dom::array ArrayOf(simdjson::dom::element e) {
  simdjson::dom::array array;
  EXPECT_EQ(e.get_array().get(array), simdjson::SUCCESS) << simdjson::to_string(e);
  return array;
}

class TracingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(ServerOptions(
        dir_.path(), {"--otlp-http-listen", "127.0.0.1:0", "--otlp-grpc-listen", "127.0.0.1:0",
                      "--jaeger-listen", "127.0.0.1:0", "--zipkin-listen", "127.0.0.1:0"}));
    ASSERT_TRUE(server_->ready()) << server_->log();
    for (const char* listener : {"otlp_http", "otlp_grpc", "jaeger", "zipkin"}) {
      urls_[listener] = server_->ListenerUrl(listener);
      ASSERT_FALSE(urls_[listener].empty()) << listener << server_->log();
    }
    auto jaeger = HttpClient::Create(urls_["jaeger"]);
    ASSERT_TRUE(jaeger.ok());
    jaeger_ = *std::move(jaeger);
  }

  // Runs emit_traces.js (OpenTelemetry; encoding json, protobuf or grpc)
  // or emit_zipkin.js (encoding zipkin); returns the trace ids it made.
  std::vector<std::string> Emit(const std::string& encoding, int orders) {
    std::string output;
    const std::string command = encoding == "zipkin"
                                    ? "/tools/zipkin-client/emit_zipkin.js " + urls_["zipkin"]
                                    : "/tools/otel-clients/emit_traces.js " +
                                          urls_[encoding == "grpc" ? "otlp_grpc" : "otlp_http"] +
                                          " " + encoding;
    EXPECT_EQ(
        RunCommand("node " + std::string(MAYAK_SOURCE_DIR) + command + " " + std::to_string(orders),
                   &output),
        0)
        << output << server_->log();
    std::vector<std::string> ids;
    simdjson::dom::parser parser;
    simdjson::dom::element line;
    const size_t start = output.find("{\"exported\"");
    if (start == std::string::npos ||
        parser.parse(output.substr(start)).get(line) != simdjson::SUCCESS) {
      ADD_FAILURE() << output;
      return ids;
    }
    EXPECT_EQ(line["failures"].get_int64().value_unsafe(), 0) << output;
    for (simdjson::dom::element id : ArrayOf(line["traces"])) {
      ids.emplace_back(id.get_string().value_unsafe());
    }
    return ids;
  }

  // GET on the jaeger listener, parsed into doc_.
  int Jaeger(const std::string& target, HttpClient* client = nullptr) {
    auto reply = (client != nullptr ? client : jaeger_.get())->Send("GET", target, "", {});
    EXPECT_TRUE(reply.ok()) << reply.status();
    if (!reply.ok()) return 0;
    body_ = reply->body;
    EXPECT_EQ(parser_.parse(body_).get(doc_), simdjson::SUCCESS) << body_;
    return reply->status;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, std::string> urls_;
  std::unique_ptr<HttpClient> jaeger_;
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
  std::string body_;
};

// One span of a trace as the test reads it.
struct SeenSpan {
  std::string service;
  std::string name;
  std::string span_id;
  std::vector<std::string> references;      // "CHILD_OF:<id>", "FOLLOWS_FROM:<id>"
  std::map<std::string, std::string> tags;  // values as JSON
  int64_t duration_us = 0;
  size_t logs = 0;
};

std::vector<SeenSpan> SpansOf(simdjson::dom::element trace) {
  std::vector<SeenSpan> out;
  for (simdjson::dom::element s : ArrayOf(trace["spans"])) {
    SeenSpan seen;
    const std::string_view process = s["processID"].get_string().value_unsafe();
    seen.service =
        std::string(trace["processes"][process]["serviceName"].get_string().value_unsafe());
    seen.name = std::string(s["operationName"].get_string().value_unsafe());
    seen.span_id = std::string(s["spanID"].get_string().value_unsafe());
    for (simdjson::dom::element r : ArrayOf(s["references"])) {
      seen.references.push_back(std::string(r["refType"].get_string().value_unsafe()) + ":" +
                                std::string(r["spanID"].get_string().value_unsafe()));
    }
    for (simdjson::dom::element t : ArrayOf(s["tags"])) {
      seen.tags[std::string(t["key"].get_string().value_unsafe())] =
          simdjson::to_string(t["value"]);
    }
    seen.duration_us = s["duration"].get_int64().value_unsafe();
    seen.logs = ArrayOf(s["logs"]).size();
    out.push_back(std::move(seen));
  }
  return out;
}

TEST_F(TracingTest, AnOrderIsFollowedAcrossThreeServicesAndTheQueue) {
  std::vector<std::string> traces;
  for (const std::string encoding : {"json", "protobuf", "grpc"}) {
    for (std::string& id : Emit(encoding, 10)) traces.push_back(std::move(id));
  }
  ASSERT_EQ(traces.size(), 30u);

  ASSERT_EQ(Jaeger("/api/services"), 200);
  EXPECT_EQ(simdjson::to_string(doc_["data"]), R"(["crm","mes","shop"])");
  ASSERT_EQ(Jaeger("/api/services/mes/operations"), 200);
  EXPECT_EQ(simdjson::to_string(doc_["data"]), R"(["UPDATE orders","orders process"])");

  // Every trace is whole, from every exporter: six spans over three
  // services, each hop the child of the one before.
  for (const std::string& id : traces) {
    ASSERT_EQ(Jaeger("/api/traces/" + id), 200) << id;
    const std::vector<SeenSpan> spans = SpansOf(doc_["data"].at(0));
    ASSERT_EQ(spans.size(), 6u) << body_;
    const std::vector<std::pair<std::string, std::string>> want = {
        {"shop", "POST /api/orders"}, {"shop", "POST /crm/orders"}, {"crm", "POST /crm/orders"},
        {"crm", "orders publish"},    {"mes", "orders process"},    {"mes", "UPDATE orders"}};
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(spans[i].service, want[i].first) << i << body_;
      EXPECT_EQ(spans[i].name, want[i].second) << i;
      if (i == 0) {
        EXPECT_TRUE(spans[i].references.empty());
      } else {
        EXPECT_EQ(spans[i].references.front(), "CHILD_OF:" + spans[i - 1].span_id) << i;
      }
    }
    // The consumer is linked to the producer too; durations are the SDK's.
    EXPECT_EQ(spans[4].references.back(), "FOLLOWS_FROM:" + spans[3].span_id);
    EXPECT_EQ(spans[0].duration_us, 120'000);
    EXPECT_EQ(spans[4].duration_us, 300'000);
    EXPECT_EQ(spans[2].tags.at("span.kind"), R"("server")");
    EXPECT_EQ(spans[3].tags.at("span.kind"), R"("producer")");
    // Redacted before storage, as logs are.
    EXPECT_EQ(spans[0].tags.at("user.email"), R"("j***@example.com")");
    EXPECT_EQ(spans[5].tags.at("db.statement"),
              R"("UPDATE users SET password='[REDACTED]' WHERE id=42")");
  }

  // The failed orders (every fifth): the CRM's span is an error with its
  // exception event, found by Jaeger's error tag.
  ASSERT_EQ(Jaeger("/api/traces/" + traces[0]), 200);
  const std::vector<SeenSpan> failed = SpansOf(doc_["data"].at(0));
  EXPECT_EQ(failed[2].tags.at("error"), "true");
  EXPECT_EQ(failed[2].tags.at("otel.status_description"), R"("customer locked")");
  EXPECT_EQ(failed[2].logs, 1u);
  ASSERT_EQ(Jaeger("/api/traces?service=crm&limit=100&tags=%7B%22error%22%3A%22true%22%7D"), 200);
  std::set<std::string> errors;
  for (simdjson::dom::element t : ArrayOf(doc_["data"])) {
    errors.insert(std::string(t["traceID"].get_string().value_unsafe()));
  }
  EXPECT_EQ(errors, (std::set<std::string>{traces[0], traces[5], traces[10], traces[15], traces[20],
                                           traces[25]}));

  // Slow MES work: consumer spans of at least 250ms are every order's.
  ASSERT_EQ(Jaeger("/api/traces?service=mes&operation=orders%20process&minDuration=250ms&limit=50"),
            200);
  EXPECT_EQ(doc_["total"].get_uint64().value_unsafe(), 30u);
  ASSERT_EQ(Jaeger("/api/traces?service=mes&minDuration=1s"), 200);
  EXPECT_EQ(doc_["total"].get_uint64().value_unsafe(), 0u);

  // RED by operation over the spans, from the command line.
  std::string red;
  ASSERT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query --server " + server_->url() +
                           " --kind spans --from 1h --format csv"
                           " 'service.name:mes | stats count(), max(event.duration) by message'",
                       &red),
            0)
      << red;
  EXPECT_NE(red.find("orders process,30,300000000"), std::string::npos) << red;
  EXPECT_NE(red.find("UPDATE orders,30,240000000"), std::string::npos) << red;

  // Mayak's own view of a trace: the critical path runs down to the MES.
  auto own = server_->Client()->Send("GET", "/api/v1/traces/" + traces[2], "", {});
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->status, 200) << own->body;
  EXPECT_NE(own->body.find(R"("critical_path":[{)"), std::string::npos) << own->body;
  EXPECT_NE(own->body.find(R"("service":"mes","name":"UPDATE orders","start_ns")"),
            std::string::npos)
      << own->body;

  // Who calls whom: PostgreSQL appears though it sends no spans; the CRM's
  // messages reach the MES (through the orders queue, which Mayak's own
  // graph names).
  ASSERT_EQ(Jaeger("/api/dependencies?lookback=3600000"), 200);
  EXPECT_EQ(simdjson::to_string(doc_["data"]),
            R"([{"parent":"crm","child":"mes","callCount":30},)"
            R"({"parent":"mes","child":"postgresql","callCount":30},)"
            R"({"parent":"shop","child":"crm","callCount":30}])");

  auto graph = server_->Client()->Send("GET", "/api/v1/traces/graph?from=1h", "", {});
  ASSERT_TRUE(graph.ok());
  EXPECT_NE(graph->body.find(R"({"from":"crm","to":"mes","via":"orders","calls":30,"errors":0,)"),
            std::string::npos)
      << graph->body;

  // The same API under /jaeger/api on Mayak's own port.
  auto api = server_->Client();
  ASSERT_EQ(Jaeger("/jaeger/api/traces/" + traces[1], api.get()), 200);
  EXPECT_EQ(SpansOf(doc_["data"].at(0)).size(), 6u);

  // Spans are counted apart from logs, and shown apart in the storage API.
  auto storage = api->Send("GET", "/api/v1/storage", "", {});
  ASSERT_TRUE(storage.ok());
  EXPECT_NE(storage->body.find(R"("system":"mes","kind":"spans")"), std::string::npos)
      << storage->body;
  auto metrics = api->Send("GET", "/metrics", "", {});
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("mayak_ingested_spans_total 180"), std::string::npos);
}

TEST_F(TracingTest, ZipkinsLibraryTooWithSharedSpansKeptApart) {
  const std::vector<std::string> traces = Emit("zipkin", 10);
  ASSERT_EQ(traces.size(), 10u);
  ASSERT_EQ(Jaeger("/api/services"), 200);
  EXPECT_EQ(simdjson::to_string(doc_["data"]), R"(["crm","mes","shop"])");
  for (const std::string& id : traces) {
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(Jaeger("/api/traces/" + id), 200) << id;
    const std::vector<SeenSpan> spans = SpansOf(doc_["data"].at(0));
    ASSERT_EQ(spans.size(), 5u) << body_;
    EXPECT_EQ(spans[0].service, "shop");
    EXPECT_EQ(spans[0].tags.at("order.id").substr(0, 12), R"("ORD-zipkin-)");
    // The shop's client span and the CRM's server span shared one id: two
    // spans, the server the client's child.
    EXPECT_EQ(spans[1].service, "shop");
    EXPECT_EQ(spans[1].tags.at("span.kind"), R"("client")");
    EXPECT_EQ(spans[2].service, "crm");
    EXPECT_EQ(spans[2].tags.at("span.kind"), R"("server")");
    EXPECT_NE(spans[2].span_id, spans[1].span_id);
    EXPECT_EQ(spans[2].references.front(), "CHILD_OF:" + spans[1].span_id);
    EXPECT_EQ(spans[2].duration_us, 75'000);
    EXPECT_EQ(spans[3].tags.at("span.kind"), R"("producer")");
    EXPECT_EQ(spans[4].service, "mes");
    EXPECT_EQ(spans[4].references.front(), "CHILD_OF:" + spans[3].span_id);
  }
  ASSERT_EQ(Jaeger("/api/traces/" + traces[0]), 200);
  EXPECT_EQ(SpansOf(doc_["data"].at(0))[0].tags.at("error"), "true") << "the error tag";

  auto zipkin = HttpClient::Create(urls_["zipkin"]);
  ASSERT_TRUE(zipkin.ok());
  auto bad = (*zipkin)->Send("POST", "/api/v2/spans", R"([{"traceId":"x"}])",
                             {{"Content-Type", "application/json"}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("span 0: traceId 'x'"), std::string::npos) << bad->body;
  auto thrift =
      (*zipkin)->Send("POST", "/api/v2/spans", "\x0a", {{"Content-Type", "application/x-thrift"}});
  ASSERT_TRUE(thrift.ok());
  EXPECT_EQ(thrift->status, 415);
  auto broken = (*zipkin)->Send("POST", "/api/v2/spans", std::string("\x0a\x05\x0a", 3),
                                {{"Content-Type", "application/x-protobuf"}});
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->status, 400);
  EXPECT_NE(broken->body.find("byte"), std::string::npos) << broken->body;
}

TEST_F(TracingTest, BadSpansAndBadRequestsGetClearReplies) {
  auto otlp = HttpClient::Create(urls_["otlp_http"]);
  ASSERT_TRUE(otlp.ok());
  auto partial = (*otlp)->Send(
      "POST", "/v1/traces",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[)"
      R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"ok",)"
      R"("startTimeUnixNano":"1795600000000000000","endTimeUnixNano":"1795600000000001000"},)"
      R"({"traceId":"00000000000000000000000000000000","spanId":"00f067aa0ba902b7","name":"x",)"
      R"("startTimeUnixNano":"1795600000000000000","endTimeUnixNano":"1795600000000001000"}]}]}]})",
      {{"Content-Type", "application/json"}});
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->status, 200);
  EXPECT_NE(partial->body.find(R"("rejectedSpans":"1")"), std::string::npos) << partial->body;
  EXPECT_NE(partial->body.find("trace_id must be 16 bytes"), std::string::npos) << partial->body;
  auto broken = (*otlp)->Send("POST", "/v1/traces", std::string("\x0a\x05\x0a", 3),
                              {{"Content-Type", "application/x-protobuf"}});
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->status, 400);

  ASSERT_EQ(Jaeger("/api/traces/4bf92f3577b34da6a3ce929d0e0e4736"), 200) << body_;
  ASSERT_EQ(Jaeger("/api/traces/4bf92f3577b34da6a3ce929d0e0e4737"), 404);
  EXPECT_EQ(doc_["errors"].at(0)["code"].get_int64().value_unsafe(), 404);
  ASSERT_EQ(Jaeger("/api/traces?lookback=1h"), 400);
  EXPECT_NE(body_.find("'service' is required"), std::string::npos) << body_;
}

}  // namespace
}  // namespace mayak::testing
