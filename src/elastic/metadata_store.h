// What Elasticsearch clients and shippers create at start-up — index
// templates, ILM policies, ingest pipelines, indices, data streams — kept
// and returned as they were given. Mayak does not act on them (it has its
// own retention and routing), but a shipper that checks "does my template
// exist?" must find what it put, across restarts.
//
// Each kind is one JSON file, DATA_DIR/elasticsearch/<kind>.json, an object
// of name -> body, rewritten atomically on every change.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/env.h"

namespace mayak {

enum class MetadataKind {
  kIndexTemplate,   // PUT /_index_template/{name}
  kLegacyTemplate,  // PUT /_template/{name}
  kIlmPolicy,       // PUT /_ilm/policy/{name}
  kIngestPipeline,  // PUT /_ingest/pipeline/{name}
  kIndex,           // PUT /{index}, or written to by _bulk and _doc
  kDataStream,      // PUT /_data_stream/{name}
};

class MetadataStore {
 public:
  // Loads what `dir` holds (created when missing). A file that cannot be
  // read or parsed is an error naming it.
  static absl::StatusOr<std::unique_ptr<MetadataStore>> Open(Env* env, std::string dir);

  // This installation's cluster_uuid (as GET / reports it): made on the
  // first start, kept in DIR/cluster.json.
  const std::string& cluster_uuid() const { return cluster_uuid_; }

  // The body stored under `name`, as compact JSON.
  std::optional<std::string> Get(MetadataKind kind, std::string_view name) const;
  // Names and bodies matching `pattern` (`*` matches any text; a comma
  // separates several patterns), in name order.
  std::vector<std::pair<std::string, std::string>> Find(MetadataKind kind,
                                                        std::string_view pattern) const;
  // Stores `body` (JSON text; an error when it is not a JSON object) under
  // `name`, replacing what was there, and writes the file.
  absl::Status Put(MetadataKind kind, std::string_view name, std::string_view body);
  // Stores `body` only when `name` is not there yet; false when it was.
  absl::StatusOr<bool> PutIfAbsent(MetadataKind kind, std::string_view name, std::string_view body);

 private:
  MetadataStore(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  absl::Status Load(MetadataKind kind);
  absl::Status LoadClusterUuid();
  // Keeps `body` under `name` and writes the kind's file; on a write error
  // the change is undone.
  absl::Status Store(MetadataKind kind, std::string_view name, std::string body)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Save(MetadataKind kind) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string PathOf(MetadataKind kind) const;

  Env* env_;
  std::string dir_;
  std::string cluster_uuid_;
  mutable absl::Mutex mu_;
  std::map<MetadataKind, std::map<std::string, std::string, std::less<>>> bodies_
      ABSL_GUARDED_BY(mu_);
};

// `bytes` random bytes as unpadded base64url text, as Elasticsearch's ids.
std::string RandomBase64Url(size_t bytes);

}  // namespace mayak
