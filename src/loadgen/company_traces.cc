#include "loadgen/company_traces.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/strings.h"

namespace mayak {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr const char* kStatements[] = {
    "INSERT INTO production_jobs (order_id, line, status) VALUES ($1, $2, 'queued')",
    "UPDATE stock SET reserved = reserved + $1 WHERE product_id = $2",
    "SELECT o.*, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
    "SELECT id, name, price, stock FROM products WHERE id = $1"};
constexpr const char* kErrors[] = {"customer account is locked", "credit limit exceeded",
                                   "upstream timed out after 5s"};

}  // namespace

CompanyTraceGenerator::CompanyTraceGenerator(const CompanyTraceOptions& options)
    : options_(options), random_(options.seed), now_ns_(options.start_ns) {}

int64_t CompanyTraceGenerator::Millis(double mean_ms) {
  return static_cast<int64_t>(-std::log(1.0 - random_.Unit()) * mean_ms * kMs) / 1000 * 1000 + 1000;
}

Span CompanyTraceGenerator::Make(const std::string& trace_id, const std::string& parent,
                                 const char* service, const char* name, SpanKind kind,
                                 int64_t start_ns, int64_t duration_ns) {
  Span s;
  s.trace_id = trace_id;
  s.span_id = random_.Hex(16);
  s.parent_span_id = parent;
  s.service = service;
  s.system = service;
  s.name = name;
  s.kind = kind;
  s.start_ns = start_ns;
  s.duration_ns = duration_ns;
  s.resource = {{"host.name", StrCat(service, "-", 1 + random_.Below(3))},
                {"service.version", std::string("2.4.1")}};
  return s;
}

void CompanyTraceGenerator::PlaceOrder(const std::string& trace_id, int64_t t,
                                       std::vector<Span>* out) {
  const int64_t order = next_order_id_++;
  const bool failed = random_.Below(50) == 0;
  const int64_t crm_ns = Millis(25);
  const int64_t publish_ns = std::min(Millis(2), crm_ns / 2);  // within the CRM's handling
  const int64_t request_ns = crm_ns + Millis(15) + 4 * kMs;
  Span request = Make(trace_id, "", "shop", "POST /api/orders", SpanKind::kServer, t, request_ns);
  request.attributes = {{"http.request.method", std::string("POST")},
                        {"url.path", std::string("/api/orders")},
                        {"http.response.status_code", int64_t{failed ? 502 : 201}},
                        {"order.id", order},
                        {"user.id", StrCat("u", random_.Zipf(200000))},
                        {"client.ip", StrCat("10.", random_.Below(256), ".", random_.Below(256),
                                             ".", random_.Below(256))}};
  Span call = Make(trace_id, request.span_id, "shop", "POST /crm/orders", SpanKind::kClient,
                   t + 2 * kMs, crm_ns + 2 * kMs);
  call.attributes = {{"http.request.method", std::string("POST")},
                     {"server.address", std::string("crm-api")}};
  Span handle = Make(trace_id, call.span_id, "crm", "POST /crm/orders", SpanKind::kServer,
                     t + 3 * kMs, crm_ns);
  handle.attributes = {{"order.id", order}, {"http.response.status_code", int64_t{201}}};
  out->push_back(std::move(request));
  out->push_back(std::move(call));
  if (failed) {
    handle.status = SpanStatus::kError;
    handle.status_message = kErrors[random_.Below(std::size(kErrors))];
    handle.attributes[1].value = int64_t{409};
    handle.events = {{t + 4 * kMs,
                      "exception",
                      {{"exception.type", std::string("OrderRejected")},
                       {"exception.message", handle.status_message}}}};
    out->push_back(std::move(handle));
    return;
  }
  Span publish = Make(trace_id, handle.span_id, "crm", "crm.orders publish", SpanKind::kProducer,
                      t + 3 * kMs + crm_ns - publish_ns, publish_ns);
  publish.attributes = {{"messaging.system", std::string("rabbitmq")},
                        {"messaging.destination.name", std::string("crm.orders")}};
  // The MES takes the message from the queue a little later.
  const int64_t consumed = publish.start_ns + publish_ns + Millis(30);
  const int64_t db_ns = Millis(8);
  Span consume = Make(trace_id, publish.span_id, "mes", "crm.orders process", SpanKind::kConsumer,
                      consumed, db_ns + Millis(10) + kMs);
  consume.attributes = {{"messaging.system", std::string("rabbitmq")},
                        {"messaging.destination.name", std::string("crm.orders")},
                        {"order.id", order}};
  consume.links = {{trace_id, publish.span_id, {}}};
  Span query = Make(trace_id, consume.span_id, "mes", "INSERT production_jobs", SpanKind::kClient,
                    consumed + kMs / 2, db_ns);
  query.attributes = {{"db.system", std::string("postgresql")},
                      {"db.statement", std::string(kStatements[random_.Below(2)])}};
  out->push_back(std::move(handle));
  out->push_back(std::move(publish));
  out->push_back(std::move(consume));
  out->push_back(std::move(query));
}

void CompanyTraceGenerator::LookUpOrder(const std::string& trace_id, int64_t t,
                                        std::vector<Span>* out) {
  const int64_t order =
      500000 +
      static_cast<int64_t>(random_.Zipf(static_cast<uint64_t>(next_order_id_ - 500000 + 1)));
  const int64_t db_ns = Millis(4);
  const int64_t crm_ns = db_ns + Millis(3) + kMs;
  Span request = Make(trace_id, "", "shop", "GET /api/orders/{id}", SpanKind::kServer, t,
                      crm_ns + Millis(5) + 3 * kMs);
  request.attributes = {{"http.request.method", std::string("GET")},
                        {"url.path", StrCat("/api/orders/", order)},
                        {"http.response.status_code", int64_t{200}},
                        {"order.id", order}};
  Span call = Make(trace_id, request.span_id, "shop", "GET /crm/orders/{id}", SpanKind::kClient,
                   t + kMs, crm_ns + kMs);
  call.attributes = {{"http.request.method", std::string("GET")},
                     {"server.address", std::string("crm-api")}};
  Span handle = Make(trace_id, call.span_id, "crm", "GET /crm/orders/{id}", SpanKind::kServer,
                     t + kMs + kMs / 2, crm_ns);
  handle.attributes = {{"order.id", order}};
  Span query = Make(trace_id, handle.span_id, "crm", "SELECT orders", SpanKind::kClient,
                    handle.start_ns + kMs / 2, db_ns);
  query.attributes = {{"db.system", std::string("postgresql")},
                      {"db.statement", std::string(kStatements[2])}};
  out->push_back(std::move(request));
  out->push_back(std::move(call));
  out->push_back(std::move(handle));
  out->push_back(std::move(query));
}

void CompanyTraceGenerator::ShowProduct(const std::string& trace_id, int64_t t,
                                        std::vector<Span>* out) {
  const uint64_t product = random_.Zipf(5000);
  const int64_t db_ns = Millis(2);
  Span request = Make(trace_id, "", "shop", "GET /api/products/{id}", SpanKind::kServer, t,
                      db_ns + Millis(4) + kMs);
  request.attributes = {{"http.request.method", std::string("GET")},
                        {"url.path", StrCat("/api/products/", product)},
                        {"http.response.status_code", int64_t{200}}};
  Span query = Make(trace_id, request.span_id, "shop", "SELECT products", SpanKind::kClient,
                    t + kMs / 2, db_ns);
  query.attributes = {{"db.system", std::string("postgresql")},
                      {"db.statement", std::string(kStatements[3])}};
  out->push_back(std::move(request));
  out->push_back(std::move(query));
}

void CompanyTraceGenerator::Next(std::vector<Span>* out) {
  now_ns_ +=
      static_cast<int64_t>(-std::log(1.0 - random_.Unit()) / options_.traces_per_second * 1e9);
  const int64_t t = now_ns_ / 1000 * 1000;  // SDKs stamp microseconds
  const std::string trace_id = random_.Hex(32);
  const uint64_t pick = random_.Below(100);
  if (pick < 50) {
    PlaceOrder(trace_id, t, out);
  } else if (pick < 65) {
    LookUpOrder(trace_id, t, out);
  } else {
    ShowProduct(trace_id, t, out);
  }
}

}  // namespace mayak
