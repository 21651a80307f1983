// A deterministic generator of the first customer's logs: the shop, CRM and
// MES APIs (requests, errors with stack traces, order status changes), slow
// PostgreSQL queries and RabbitMQ dead letters, with realistic
// cardinalities, as NDJSON in Mayak's canonical field names; or nginx
// "combined" access log lines. The same seed gives the same bytes on every
// machine (its own PRNG, no std:: distributions), so benchmarks and tests
// compare like with like.
#pragma once

#include <cstdint>
#include <string>

#include "loadgen/random.h"

namespace mayak {

struct CompanyLogOptions {
  uint64_t seed = 1;
  int64_t start_ns = 1'795'478'400LL * 1'000'000'000;  // 2026-11-24T00:00:00Z
  double records_per_second = 2000;                    // of simulated time
};

class CompanyLogGenerator {
 public:
  explicit CompanyLogGenerator(const CompanyLogOptions& options);

  // Appends the next record as one NDJSON line (with '\n').
  void NextNdjson(std::string* out);
  // Appends the next request as an nginx combined log line (with '\n').
  void NextNginx(std::string* out);

 private:
  uint64_t Next() { return random_.Next(); }
  uint64_t Below(uint64_t n) { return random_.Below(n); }
  double Unit() { return random_.Unit(); }
  uint64_t Zipf(uint64_t n) { return random_.Zipf(n); }
  int64_t Tick();  // advances simulated time
  std::string TraceId();
  void ApiRequest(std::string* out, int64_t ts);
  void ApiError(std::string* out, int64_t ts);
  void OrderStatusChange(std::string* out, int64_t ts);
  void SlowQuery(std::string* out, int64_t ts);
  void DeadLetter(std::string* out, int64_t ts);

  CompanyLogOptions options_;
  DeterministicRandom random_;
  int64_t now_ns_;
  int64_t next_order_id_ = 100000;
};

}  // namespace mayak
