// The storage interface. The server, the query engine and (later) alerting
// speak to storage only through this; the embedded engine and a ClickHouse
// backend implement it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "model/log_record.h"
#include "query/aggregation.h"
#include "query/filter.h"
#include "query/query_budget.h"

namespace mayak {

struct SearchRequest {
  const Filter* filter = nullptr;  // must outlive the call
  int64_t from_ns = 0;             // inclusive
  int64_t to_ns = INT64_MAX;       // inclusive
  size_t limit = 100;
  // The oldest `limit` matches, oldest first, instead of the newest
  // (what follows a record, for GET /api/v1/context).
  bool oldest_first = false;
  // The fields the caller reads of the hits (besides @timestamp); empty:
  // all. Other columns of stored rows are then left undecoded (hits still
  // in memory carry every field).
  std::vector<std::string> fields{};
  QueryBudget budget{};  // time, memory, and whether the client still waits
};

// What a search or count read and what its indexes let it skip
// (`mayak query --explain`).
struct ScanPlan {
  uint64_t segments = 0;                  // in the store
  uint64_t segments_skipped_by_time = 0;  // wholly outside the time range
  uint64_t row_groups = 0;                // of the segments in the range
  uint64_t row_groups_skipped_by_time = 0;
  uint64_t row_groups_skipped_by_index = 0;  // Bloom filters, number ranges, missing fields
  uint64_t row_groups_read = 0;
  uint64_t memory_records = 0;  // records not yet in segments, all tested
};

struct SearchResult {
  std::vector<LogRecord> hits;  // newest first (or oldest_first), at most `limit`
  uint64_t total = 0;           // every match in the range
  ScanPlan plan;
};

// Counts of matching records by the values of fields and, with bucket_ns,
// by time bucket (`| stats count() by ...`, `| timechart`).
struct CountRequest {
  const Filter* filter = nullptr;  // must outlive the call
  int64_t from_ns = 0;             // inclusive
  int64_t to_ns = INT64_MAX;       // inclusive
  std::vector<std::string> group_by;
  int64_t bucket_ns = 0;  // > 0: buckets aligned to the Unix epoch (UTC)
  // Buckets aligned instead to the midnights of a zone this far east of UTC
  // (a query's `timezone`, its offset at the start of the range).
  int64_t bucket_offset_ns = 0;
  // Computed per group besides the count: sums, percentiles, ... of fields.
  std::vector<Aggregation> aggregations;
  // Groups by the pattern of the first group_by field's text, not by the
  // text itself (query/patterns.h; `| patterns`).
  bool group_by_patterns = false;
  // With one group_by field, no time buckets and no aggregations of fields
  // (`| top 10 f`, `| stats count() by f`): the counts come back as
  // CountResult::values, in no order, instead of as `groups`. A field of
  // many values (url.path, client.ip) makes thousands of groups, and a map
  // node and key for each cost more than counting them did.
  bool flat_values = false;
  QueryBudget budget{};  // groups are charged to its memory
};

struct GroupKey {
  int64_t bucket_ns = 0;               // start of the time bucket; 0 without buckets
  std::vector<AttributeValue> values;  // one per group-by field

  bool operator==(const GroupKey&) const = default;
  bool operator<(const GroupKey& other) const {
    if (bucket_ns != other.bucket_ns) return bucket_ns < other.bucket_ns;
    return values < other.values;
  }
};

struct CountResult {
  // Records lacking a group-by field are left out of the groups (as a terms
  // aggregation leaves out documents without the field) but are in total.
  std::map<GroupKey, uint64_t> groups;
  // With CountRequest::flat_values (and then instead of `groups`): each
  // value of the group-by field once, with its count, in no order.
  std::vector<std::pair<AttributeValue, uint64_t>> values;
  uint64_t total = 0;
  // With CountRequest::aggregations: each group's states, in their order.
  std::map<GroupKey, AggregationStates> states;
  ScanPlan plan;
};

// A field's name and the types its values have: "string", "integer",
// "double", "boolean" or "date" (GET /api/v1/fields).
using FieldTypes = std::map<std::string, std::set<std::string>>;

// Adds `from` into `into` (results of scan workers or of memory and disk).
void MergeCountResults(const std::vector<Aggregation>& aggregations, CountResult&& from,
                       CountResult* into);

struct StoreStats {
  uint64_t records = 0;
  uint64_t wal_bytes = 0;
  uint64_t segment_bytes = 0;
  uint64_t segments = 0;
  uint64_t merging_segments = 0;  // inputs of merges under way
};

// The outcome of the last retention run for one system.
struct RetentionRun {
  int64_t time_ns = 0;  // when it ran (wall clock)
  std::string outcome;  // "ok" or the error
  uint64_t dropped_partitions = 0;
  uint64_t dropped_bytes = 0;
};

// What one system holds (GET /api/v1/storage).
struct SystemUsage {
  std::string system;
  std::string kind = "logs";
  uint64_t bytes = 0;    // segment files on disk
  uint64_t records = 0;  // in segments and in memory
  int64_t oldest_ns = 0;
  int64_t newest_ns = 0;
  uint64_t partitions = 0;           // UTC days on local disk
  uint64_t archived_partitions = 0;  // in the object-storage archive
  int64_t cap_bytes = 0;
  int64_t hot_days = 0;
  std::optional<RetentionRun> last_retention;
};

class LogStore {
 public:
  // Runs once the records are durable (OK) or certainly not stored (error).
  // It may run on a storage thread: keep it short and do not block in it.
  using AppendDone = std::function<void(absl::Status)>;

  virtual ~LogStore() = default;

  // Stores `records` atomically: after `done(OK)` all are durable and
  // searchable; after an error none are.
  virtual void Append(std::vector<LogRecord> records, AppendDone done) = 0;

  virtual absl::StatusOr<SearchResult> Search(const SearchRequest& request) const = 0;

  virtual absl::StatusOr<CountResult> Count(const CountRequest& request) const = 0;

  virtual StoreStats Stats() const = 0;
  // The fields of records in [from, to]: every column of the segments that
  // overlap the range, and the fields of the records in memory within it.
  virtual FieldTypes Fields(int64_t from_ns, int64_t to_ns) const = 0;
  // Per system, by name.
  virtual std::vector<SystemUsage> Usage() const = 0;

  // Writes one segment file, complete and synced, at the path it is given
  // (a restore downloads it there from the archive).
  using SegmentFetch = std::function<absl::Status(const std::string& path)>;

  // Makes an archived partition searchable again from its segment files,
  // marked as restored (never archived again). AlreadyExists when the
  // partition is on local disk.
  virtual absl::Status RestorePartition(const std::string& system, int64_t day,
                                        const std::vector<SegmentFetch>& segments) {
    (void)system;
    (void)day;
    (void)segments;
    return absl::UnimplementedError("this store cannot restore archived partitions");
  }

  // Completes pending appends and releases files. Appends after Close fail.
  virtual void Close() = 0;
};

}  // namespace mayak
