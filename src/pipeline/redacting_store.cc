#include "pipeline/redacting_store.h"

#include <utility>

namespace mayak {

RedactingLogStore::RedactingLogStore(LogStore* inner, std::unique_ptr<Redactor> redactor,
                                     MetricsRegistry* metrics)
    : inner_(inner), redactor_(std::move(redactor)) {
  for (const std::string& rule : redactor_->rule_names()) {
    hits_.push_back(metrics->GetCounter("mayak_redactions_total",
                                        "Records changed by a redaction rule before storage.",
                                        {{"rule", rule}}));
  }
}

void RedactingLogStore::Append(std::vector<LogRecord> records, AppendDone done) {
  for (LogRecord& record : records) {
    const RuleHits hits = redactor_->Redact(&record);
    for (size_t bit = 0; hits >> bit != 0; ++bit) {
      if ((hits >> bit) & 1) hits_[bit]->Add();
    }
  }
  inner_->Append(std::move(records), std::move(done));
}

}  // namespace mayak
