// What every record goes through after its protocol's decoder and before
// the write-ahead log, in this order:
//   1. a message that is itself a JSON object (an app's JSON log inside a
//      container's line) becomes fields: its message or msg is the message,
//      its level the level when the record has none, its other fields
//      attributes (those the record has already stay);
//   2. routing rules from the configuration set the system: the first rule
//      whose field matches its pattern wins (`*` wildcards);
//   3. redaction (redaction.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"
#include "pipeline/redaction.h"

namespace mayak {

struct SystemRoute {
  std::string name;     // for errors and documentation
  std::string field;    // any field: service.name, host.name, http.request.method ...
  std::string pattern;  // `*` wildcards; compared with the field's value as text
  std::string system;   // where a matching record goes
};

struct PipelineOptions {
  bool expand_json_messages = true;
  std::vector<SystemRoute> routes;
  RedactionOptions redaction;
};

class IngestPipeline {
 public:
  // Fails on a route without a field or with an invalid system name, or a
  // redaction rule that does not compile, naming it.
  static absl::StatusOr<std::unique_ptr<IngestPipeline>> Create(PipelineOptions options);

  // Runs the stages on `record`; returns the redaction rules that fired.
  RuleHits Process(LogRecord* record) const;

  const Redactor& redactor() const { return *redactor_; }

 private:
  IngestPipeline(PipelineOptions options, std::unique_ptr<Redactor> redactor)
      : options_(std::move(options)), redactor_(std::move(redactor)) {}
  static void ExpandJsonMessage(LogRecord* record);
  void Route(LogRecord* record) const;

  PipelineOptions options_;
  std::unique_ptr<Redactor> redactor_;
};

}  // namespace mayak
