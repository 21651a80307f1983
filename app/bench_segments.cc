// `mayak bench segments FILE`: one thread's CPU time to write the records of
// FILE as the storage engine does, flushes first (segments of a memtable's
// share of each partition), then one merge of each partition's segments,
// with the bytes a record each leaves on disk. The records are decoded and
// passed through the ingest pipeline before anything is timed.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "pipeline/ingest_pipeline.h"
#include "pipeline/ndjson_decoder.h"
#include "storage/env.h"
#include "storage/segment_merger.h"
#include "storage/segment_reader.h"
#include "storage/segment_writer.h"

namespace mayak {
namespace {

// CPU seconds of the calling thread: fsyncs and other waits left out.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct Run {
  double flush_seconds = 0;
  double merge_seconds = 0;
  uint64_t flushed_bytes = 0;
  uint64_t merged_bytes = 0;
};

// The records of each (system, day) partition, in arrival order.
using Partitions = std::map<std::pair<std::string, int64_t>, std::vector<const LogRecord*>>;

absl::StatusOr<Run> WriteAndMerge(const Partitions& partitions, size_t flush_records,
                                  const std::string& dir) {
  Env* env = Env::Default();
  Run run;
  std::vector<std::vector<std::string>> segments;
  size_t id = 0;
  double start = ThreadCpuSeconds();
  for (const auto& [key, records] : partitions) {
    std::vector<std::string>& paths = segments.emplace_back();
    for (size_t begin = 0; begin < records.size(); begin += flush_records) {
      const size_t end = std::min(records.size(), begin + flush_records);
      paths.push_back(StrCat(dir, "/", id++, ".seg"));
      auto footer = WriteSegment(
          env, paths.back(),
          std::vector<const LogRecord*>(records.begin() + static_cast<ptrdiff_t>(begin),
                                        records.begin() + static_cast<ptrdiff_t>(end)));
      if (!footer.ok()) return footer.status();
    }
  }
  run.flush_seconds = ThreadCpuSeconds() - start;
  std::vector<std::string> merged;
  start = ThreadCpuSeconds();
  for (const std::vector<std::string>& paths : segments) {
    std::vector<std::unique_ptr<SegmentReader>> readers;
    std::vector<const SegmentReader*> inputs;
    for (const std::string& path : paths) {
      auto reader = SegmentReader::Open(env, path);
      if (!reader.ok()) return reader.status();
      inputs.push_back(reader->get());
      readers.push_back(*std::move(reader));
    }
    merged.push_back(StrCat(dir, "/", id++, ".seg"));
    auto merge = MergeSegments(env, inputs, merged.back(), MergeOptions{});
    if (!merge.ok()) return merge.status();
  }
  run.merge_seconds = ThreadCpuSeconds() - start;
  for (const auto& paths : segments) {
    for (const std::string& path : paths) run.flushed_bytes += std::filesystem::file_size(path);
  }
  for (const std::string& path : merged) run.merged_bytes += std::filesystem::file_size(path);
  return run;
}

void Report(std::string_view what, std::vector<double> seconds, size_t records) {
  std::sort(seconds.begin(), seconds.end());
  const auto us = [records](double s) { return s * 1e6 / static_cast<double>(records); };
  std::printf("%-6s %6.2f us/record (%.2f-%.2f), %4.0fk records per CPU-second\n",
              std::string(what).c_str(), us(seconds[seconds.size() / 2]), us(seconds.front()),
              us(seconds.back()), static_cast<double>(records) / seconds[seconds.size() / 2] / 1e3);
}

}  // namespace

int RunSegmentsBench(const std::string& input, int repeats, size_t flush_records) {
  auto contents = Env::Default()->ReadFile(input);
  if (!contents.ok()) {
    std::cerr << "mayak bench segments: cannot read " << input << ": "
              << StatusMessage(contents.status()) << "\n";
    return 1;
  }
  NdjsonDecoder decoder(1 << 20);
  DecodedBatch batch = decoder.Decode(*contents, 0);
  auto pipeline = IngestPipeline::Create({});
  if (!pipeline.ok()) return 1;
  for (LogRecord& record : batch.records) (*pipeline)->Process(&record);
  Partitions partitions;
  for (const LogRecord& r : batch.records) {
    partitions[{r.system, DayOf(r.timestamp_ns)}].push_back(&r);
  }
  const size_t n = batch.records.size();
  std::printf(
      "%zu records (%zu rejected) from %s in %zu partitions; flushes of %zu records a "
      "partition, then one merge a partition; CPU time of one thread, %d runs\n",
      n, batch.errors.size(), input.c_str(), partitions.size(), flush_records, repeats);
  std::string dir_template =
      (std::filesystem::temp_directory_path() / "mayak-bench-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    std::cerr << "mayak bench segments: cannot make a temporary directory\n";
    return 1;
  }
  const std::string dir = dir_template;
  std::vector<double> flush;
  std::vector<double> merge;
  Run last;
  for (int i = 0; i < repeats; ++i) {
    std::filesystem::create_directories(dir + "/run");
    auto run = WriteAndMerge(partitions, flush_records, dir + "/run");
    std::filesystem::remove_all(dir + "/run");
    if (!run.ok()) {
      std::cerr << "mayak bench segments: " << run.status().message() << "\n";
      std::filesystem::remove_all(dir);
      return 1;
    }
    flush.push_back(run->flush_seconds);
    merge.push_back(run->merge_seconds);
    last = *run;
  }
  std::filesystem::remove_all(dir);
  Report("flush", flush, n);
  Report("merge", merge, n);
  std::printf("bytes a record: %.2f after flushes, %.2f merged\n",
              static_cast<double>(last.flushed_bytes) / static_cast<double>(n),
              static_cast<double>(last.merged_bytes) / static_cast<double>(n));
  return 0;
}

}  // namespace mayak
