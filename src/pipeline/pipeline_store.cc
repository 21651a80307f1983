#include "pipeline/pipeline_store.h"

#include <utility>

namespace mayak {

PipelineLogStore::PipelineLogStore(LogStore* inner, std::unique_ptr<IngestPipeline> pipeline,
                                   MetricsRegistry* metrics)
    : ForwardingLogStore(inner), pipeline_(std::move(pipeline)) {
  for (const std::string& rule : pipeline_->redactor().rule_names()) {
    hits_.push_back(metrics->GetCounter("mayak_redactions_total",
                                        "Records changed by a redaction rule before storage.",
                                        {{"rule", rule}}));
  }
}

void PipelineLogStore::Append(std::vector<LogRecord> records, AppendDone done) {
  for (LogRecord& record : records) {
    const RuleHits hits = pipeline_->Process(&record);
    for (size_t bit = 0; bit < hits_.size(); ++bit) {
      if ((hits >> bit) & 1) hits_[bit]->Add();
    }
  }
  inner()->Append(std::move(records), std::move(done));
}

}  // namespace mayak
