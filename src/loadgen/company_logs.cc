#include "loadgen/company_logs.h"

#include <cmath>

#include "common/json_writer.h"
#include "common/strings.h"
#include "common/timestamps.h"

namespace mayak {
namespace {

constexpr const char* kSystems[] = {"shop", "crm", "mes"};
constexpr const char* kServices[] = {"shop-api", "crm-api", "mes-api"};
constexpr const char* kMethods[] = {"GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"};
constexpr const char* kPathTemplates[] = {
    "/api/orders/{id}",   "/api/orders",          "/api/cart",          "/api/products/{n}",
    "/api/products",      "/api/users/login",     "/api/users/{u}",     "/api/customers/{u}",
    "/api/invoices/{id}", "/api/production/{id}", "/api/cost/{id}",     "/api/stock/{n}",
    "/api/search",        "/api/payments/{id}",   "/api/delivery/{id}", "/health"};
constexpr const char* kOrderStatuses[] = {"created", "accepted", "in_production", "quality_check",
                                          "packed",  "shipped",  "delivered",     "cancelled"};
constexpr const char* kErrorTypes[] = {"TimeoutError", "ConnectionRefused", "NullPointerException",
                                       "ValidationError", "DeadlockDetected"};
constexpr const char* kErrorMessages[] = {
    "upstream timed out after 30s waiting for crm-api",
    "connection refused: postgres://db-main:5432/shop",
    "cannot read property 'price' of null in cost calculation",
    "invalid order state transition shipped -> accepted",
    "deadlock detected while updating stock reservation"};
constexpr const char* kStatements[] = {
    "SELECT o.*, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
    "UPDATE stock SET reserved = reserved + $1 WHERE product_id = $2",
    "SELECT * FROM order_items WHERE order_id = ANY($1) ORDER BY created_at DESC",
    "INSERT INTO production_jobs (order_id, line, status) VALUES ($1, $2, 'queued')",
    // One statement on two lines; the parentheses tell compilers and
    // clang-tidy that the missing comma is meant.
    ("SELECT sum(amount) FROM payments WHERE customer_id = $1 AND created_at > now() - interval "
     "'30 days'")};
constexpr const char* kQueues[] = {"crm.orders", "mes.production", "mes.cost", "crm.invoices"};
constexpr const char* kDeathReasons[] = {"rejected", "expired", "maxlen"};
constexpr const char* kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "okhttp/4.12.0", "python-requests/2.31.0", "curl/8.4.0"};

template <size_t N>
const char* Pick(const char* const (&items)[N], uint64_t index) {
  return items[index % N];
}

}  // namespace

CompanyLogGenerator::CompanyLogGenerator(const CompanyLogOptions& options)
    : options_(options), random_(options.seed), now_ns_(options.start_ns) {}

int64_t CompanyLogGenerator::Tick() {
  // Exponential gaps: a Poisson process at the configured rate.
  const double gap_seconds = -std::log(1.0 - Unit()) / options_.records_per_second;
  now_ns_ += static_cast<int64_t>(gap_seconds * 1e9);
  // Application loggers stamp microseconds, not nanoseconds.
  return now_ns_ / 1000 * 1000;
}

std::string CompanyLogGenerator::TraceId() {
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(Next()),
                static_cast<unsigned long long>(Next()));
  return buf;
}

void CompanyLogGenerator::NextNdjson(std::string* out) {
  const int64_t ts = Tick();
  const uint64_t kind = Below(1000);
  if (kind < 880) {
    ApiRequest(out, ts);
  } else if (kind < 920) {
    ApiError(out, ts);
  } else if (kind < 970) {
    OrderStatusChange(out, ts);
  } else if (kind < 995) {
    SlowQuery(out, ts);
  } else {
    DeadLetter(out, ts);
  }
  out->push_back('\n');
}

void CompanyLogGenerator::ApiRequest(std::string* out, int64_t ts) {
  const uint64_t s = Below(3);
  const char* method = Pick(kMethods, Below(std::size(kMethods)));
  const uint64_t order_id = static_cast<uint64_t>(next_order_id_) - Zipf(50000);
  std::string path =
      ReplaceAll(Pick(kPathTemplates, Zipf(std::size(kPathTemplates))), "{id}", StrCat(order_id));
  path = ReplaceAll(path, "{n}", StrCat(Zipf(5000)));
  path = ReplaceAll(path, "{u}", StrCat(Zipf(200000)));
  const uint64_t r = Below(1000);
  const int status = r < 930 ? 200 : r < 960 ? 201 : r < 985 ? 404 : r < 995 ? 400 : 500;
  const int64_t duration_ns = static_cast<int64_t>(-std::log(1.0 - Unit()) * 40e6) + 300'000;
  if (std::string_view(method) == "POST" && path == "/api/orders") ++next_order_id_;

  JsonWriter json(out);
  json.BeginObject();
  json.Key("@timestamp").String(FormatRfc3339(ts));
  json.Key("log.level").String(status >= 500 ? "ERROR" : status >= 400 ? "WARN" : "INFO");
  json.Key("message").String(
      StrCat(method, " ", path, " ", status, " ", duration_ns / 1'000'000, "ms"));
  json.Key("system").String(kSystems[s]);
  json.Key("service.name").String(kServices[s]);
  json.Key("host.name").String(StrCat(kSystems[s], "-app-", Below(4) + 1));
  json.Key("event.action").String("http.request");
  json.Key("http.request.method").String(method);
  json.Key("url.path").String(path);
  json.Key("http.response.status_code").Int(status);
  json.Key("event.duration").Int(duration_ns);
  json.Key("user.id").String(StrCat("u", Zipf(200000)));
  if (Contains(path, "/orders/")) json.Key("order.id").Uint(order_id);
  json.Key("client.ip").String(StrCat("10.", Below(4), ".", Zipf(256), ".", Below(254) + 1));
  json.Key("trace.id").String(TraceId());
  json.EndObject();
}

void CompanyLogGenerator::ApiError(std::string* out, int64_t ts) {
  const uint64_t s = Below(3);
  const uint64_t e = Below(std::size(kErrorTypes));
  const uint64_t order_id = static_cast<uint64_t>(next_order_id_) - Zipf(50000);
  std::string stack = StrCat(kErrorTypes[e], ": ", kErrorMessages[e]);
  const uint64_t frames = 4 + Below(8);
  for (uint64_t f = 0; f < frames; ++f) {
    StrAppend(&stack, "\n    at ", kServices[s], ".", Pick(kPathTemplates, Below(16)) + 5,
              ".handler (", kSystems[s], "/src/handlers/file", Below(40), ".js:", Below(400) + 1,
              ":", Below(60) + 1, ")");
  }
  JsonWriter json(out);
  json.BeginObject();
  json.Key("@timestamp").String(FormatRfc3339(ts));
  json.Key("log.level").String("ERROR");
  json.Key("message").String(StrCat("request failed: ", kErrorMessages[e]));
  json.Key("system").String(kSystems[s]);
  json.Key("service.name").String(kServices[s]);
  json.Key("event.action").String("http.error");
  json.Key("http.request.method").String(Pick(kMethods, Below(8)));
  json.Key("url.path").String(StrCat("/api/orders/", order_id));
  json.Key("http.response.status_code").Int(500);
  json.Key("order.id").Uint(order_id);
  json.Key("error.type").String(kErrorTypes[e]);
  json.Key("error.message").String(kErrorMessages[e]);
  json.Key("error.stack_trace").String(stack);
  json.Key("trace.id").String(TraceId());
  json.EndObject();
}

void CompanyLogGenerator::OrderStatusChange(std::string* out, int64_t ts) {
  const uint64_t order_id = static_cast<uint64_t>(next_order_id_) - Zipf(20000);
  const char* status = Pick(kOrderStatuses, Below(std::size(kOrderStatuses)));
  JsonWriter json(out);
  json.BeginObject();
  json.Key("@timestamp").String(FormatRfc3339(ts));
  json.Key("log.level").String("INFO");
  json.Key("message").String(StrCat("order ", order_id, " status changed to ", status));
  json.Key("system").String("mes");
  json.Key("service.name").String("mes-orders");
  json.Key("event.action").String("order.status_changed");
  json.Key("order.id").Uint(order_id);
  json.Key("order.status").String(status);
  json.Key("trace.id").String(TraceId());
  json.EndObject();
}

void CompanyLogGenerator::SlowQuery(std::string* out, int64_t ts) {
  const int64_t duration_ns = 500'000'000 + static_cast<int64_t>(Unit() * 9.5e9);
  const char* statement = Pick(kStatements, Below(std::size(kStatements)));
  JsonWriter json(out);
  json.BeginObject();
  json.Key("@timestamp").String(FormatRfc3339(ts));
  json.Key("log.level").String("WARN");
  json.Key("message").String(StrCat("duration: ", duration_ns / 1'000'000, ".", Below(1000),
                                    " ms  statement: ", statement));
  json.Key("system").String("postgres");
  json.Key("service.name").String("postgresql");
  json.Key("host.name").String(StrCat("db-", Below(2) == 0 ? "main" : "replica"));
  json.Key("event.action").String("db.slow_query");
  json.Key("db.system").String("postgresql");
  json.Key("db.statement").String(statement);
  json.Key("event.duration").Int(duration_ns);
  json.EndObject();
}

void CompanyLogGenerator::DeadLetter(std::string* out, int64_t ts) {
  const char* queue = Pick(kQueues, Below(std::size(kQueues)));
  const char* reason = Pick(kDeathReasons, Below(std::size(kDeathReasons)));
  JsonWriter json(out);
  json.BeginObject();
  json.Key("@timestamp").String(FormatRfc3339(ts));
  json.Key("log.level").String("WARN");
  json.Key("message").String(StrCat("message dead-lettered from ", queue, ": ", reason));
  json.Key("system").String("rabbitmq");
  json.Key("service.name").String("rabbitmq");
  json.Key("event.action").String("amqp.dead_lettered");
  json.Key("messaging.system").String("rabbitmq");
  json.Key("messaging.destination.name").String(StrCat(queue, ".dlx"));
  json.Key("rabbitmq.death.reason").String(reason);
  json.Key("rabbitmq.death.queue").String(queue);
  json.Key("rabbitmq.death.count").Uint(1 + Zipf(5));
  json.Key("order.id").Uint(static_cast<uint64_t>(next_order_id_) - Zipf(20000));
  json.EndObject();
}

void CompanyLogGenerator::NextNginx(std::string* out) {
  const int64_t ts = Tick();
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int64_t seconds = ts / kNanosPerSecond;
  // Civil date from days since the epoch (Howard Hinnant's algorithm).
  int64_t z = seconds / 86400 + 719468;
  const int64_t era = z / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const int64_t sod = seconds % 86400;
  const char* method = Pick(kMethods, Below(std::size(kMethods)));
  const uint64_t r = Below(1000);
  const int status = r < 930 ? 200 : r < 960 ? 304 : r < 985 ? 404 : r < 995 ? 400 : 500;
  char date[64];
  std::snprintf(date, sizeof(date), "%02lld/%s/%lld:%02lld:%02lld:%02lld +0000",
                static_cast<long long>(day), kMonths[month - 1], static_cast<long long>(year),
                static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                static_cast<long long>(sod % 60));
  std::string path = ReplaceAll(Pick(kPathTemplates, Zipf(std::size(kPathTemplates))), "{id}",
                                StrCat(static_cast<uint64_t>(next_order_id_) - Zipf(50000)));
  path = ReplaceAll(ReplaceAll(path, "{n}", StrCat(Zipf(5000))), "{u}", StrCat(Zipf(200000)));
  StrAppend(out, "203.0.", Zipf(256), ".", Below(254) + 1, " - - [", date, "] \"", method, " ",
            path, " HTTP/1.1\" ", status, " ", 200 + Below(20000), " \"https://shop.example/\" \"",
            Pick(kUserAgents, Zipf(std::size(kUserAgents))), "\"\n");
}

}  // namespace mayak
