// Where the agent sends its batches: Mayak's ingest API (POST /api/v1/logs,
// NDJSON) or an Elasticsearch `_bulk` endpoint. One keep-alive connection
// (libcurl: TLS, a CA bundle of one's own, proxies from the environment).
// Not thread-safe: the sender thread owns it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/agent_config.h"
#include "agent/batch_queue.h"
#include "client/body_compression.h"

namespace mayak::agent {

struct Rejection {
  size_t event = 0;  // index in the batch
  std::string reason;
};

struct SendResult {
  size_t stored = 0;                // acknowledged (duplicates of stored events included)
  size_t duplicates = 0;            // Elasticsearch: already there (409)
  std::vector<Rejection> rejected;  // refused for good: the server will never take them
  std::vector<size_t> retry;        // to send again (Elasticsearch: 429 or 5xx for an item)
};

class HttpOutput {
 public:
  static absl::StatusOr<std::unique_ptr<HttpOutput>> Create(const OutputConfig& config);
  ~HttpOutput();

  // Sends the batch's events, all or the indices in `only`. A status that is
  // not ok means nothing is known to be stored: send it all again later.
  absl::StatusOr<SendResult> Send(const Batch& batch, const std::vector<size_t>* only);

  // What a status of Send means for the operator (logs).
  const std::string& target() const { return target_; }

 private:
  explicit HttpOutput(const OutputConfig& config);
  absl::StatusOr<SendResult> ParseMayakReply(int status, const std::string& body,
                                             const std::vector<size_t>& sent) const;
  absl::StatusOr<SendResult> ParseBulkReply(int status, const std::string& body,
                                            const std::vector<size_t>& sent) const;

  const OutputConfig config_;
  std::string target_;  // the URL posted to
  void* curl_ = nullptr;
  std::unique_ptr<BodyCompressor> compressor_;  // none when sent as it is
  std::string subset_;                          // the events of a partial resend
};

}  // namespace mayak::agent
