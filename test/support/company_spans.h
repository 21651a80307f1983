// The company's generated spans (loadgen/company_traces.h) as the span store
// keeps them: records, each observed when it started.
#pragma once

#include <vector>

#include "loadgen/company_traces.h"
#include "model/log_record.h"
#include "model/span.h"

namespace mayak::testing {

// The spans of the first `traces` traces of the default seed.
inline std::vector<LogRecord> CompanySpanRecords(int traces) {
  CompanyTraceGenerator generator({});
  std::vector<Span> spans;
  for (int i = 0; i < traces; ++i) generator.Next(&spans);
  std::vector<LogRecord> records;
  records.reserve(spans.size());
  for (const Span& span : spans) records.push_back(SpanToRecord(span, span.start_ns));
  return records;
}

}  // namespace mayak::testing
