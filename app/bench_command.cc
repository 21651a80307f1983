#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "absl/time/clock.h"
#include "commands.h"
#include "common/status_macros.h"
#include "common/timestamps.h"
#include "loadgen/company_logs.h"

namespace mayak {
namespace {

struct GenFlags {
  uint64_t records = 1'000'000;
  uint64_t seed = 1;
  std::string format = "ndjson";
  std::string start = "2026-11-24T00:00:00Z";
  double rate = 2000;
  std::string output = "-";
};

int RunGen(const GenFlags& flags) {
  auto start = ParseTimeBound(flags.start, absl::GetCurrentTimeNanos());
  if (!start.ok()) {
    std::cerr << "mayak bench gen: --start: " << StatusMessage(start.status()) << "\n";
    return 2;
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (flags.output != "-") {
    file.open(flags.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "mayak bench gen: cannot write " << flags.output << "\n";
      return 1;
    }
    out = &file;
  }
  CompanyLogGenerator generator({flags.seed, *start, flags.rate});
  std::string buffer;
  for (uint64_t i = 0; i < flags.records; ++i) {
    if (flags.format == "nginx") {
      generator.NextNginx(&buffer);
    } else {
      generator.NextNdjson(&buffer);
    }
    if (buffer.size() >= (1 << 20)) {
      out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out->flush();
  if (!*out) {
    std::cerr << "mayak bench gen: write failed\n";
    return 1;
  }
  return 0;
}

struct PipelineFlags {
  std::string input;
  int repeats = 5;
};

struct SegmentsFlags {
  std::string input;
  int repeats = 5;
  // About what one flush of a 128 MiB memtable holds of one system's day.
  size_t flush_records = 60000;
};

}  // namespace

Command AddBenchCommand(CLI::App& app) {
  CLI::App* cmd =
      app.add_subcommand("bench",
                         "Benchmark tools.\n"
                         "Example: mayak bench gen --records 10000000 -o company.ndjson");
  cmd->require_subcommand(1);
  CLI::App* gen = cmd->add_subcommand(
      "gen",
      "Write the company's logs, deterministically: shop/CRM/MES API requests and errors with\n"
      "stack traces, MES order status changes, PostgreSQL slow queries, RabbitMQ dead letters\n"
      "(NDJSON, canonical field names), or nginx combined access log lines. The same seed gives\n"
      "the same bytes.\n"
      "Example: mayak bench gen --records 1000000 --format nginx -o access.log");
  auto flags = std::make_shared<GenFlags>();
  gen->add_option("--records,-n", flags->records, "How many lines, e.g. -n 1000000")
      ->capture_default_str();
  gen->add_option("--seed", flags->seed, "Random seed, e.g. --seed 7")->capture_default_str();
  gen->add_option("--format,-f", flags->format, "ndjson or nginx, e.g. --format nginx")
      ->capture_default_str()
      ->check(CLI::IsMember({"ndjson", "nginx"}));
  gen->add_option("--start", flags->start,
                  "Time of the first record (RFC 3339 or now-7d ...), e.g. --start now-1d")
      ->capture_default_str();
  gen->add_option("--rate", flags->rate, "Records per second of simulated time, e.g. --rate 500")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  gen->add_option("--output,-o", flags->output,
                  "File to write; - is standard output, e.g. -o company.ndjson")
      ->capture_default_str();
  CLI::App* pipeline = cmd->add_subcommand(
      "pipeline",
      "Measure one thread's throughput of the ingest pipeline on an NDJSON file: decoding and\n"
      "normalization of the file as NDJSON, and of the same records as an Elasticsearch bulk\n"
      "body, OTLP/JSON, OTLP protobuf and RFC 5424 syslog; then redaction, and the unpacking\n"
      "of gzipped requests against zlib's inflate. In MB of each format's input a second\n"
      "(median, min-max).\n"
      "Example: mayak bench pipeline company.ndjson --repeats 5");
  auto pipeline_flags = std::make_shared<PipelineFlags>();
  pipeline->add_option("input", pipeline_flags->input, "NDJSON file, e.g. company.ndjson")
      ->required();
  pipeline->add_option("--repeats", pipeline_flags->repeats, "Runs of each stage, e.g. --repeats 9")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI::App* segments = cmd->add_subcommand(
      "segments",
      "Measure one thread's CPU time to store an NDJSON file's records as the storage engine\n"
      "does: flushes of each (system, day) partition into segments, then one merge of each\n"
      "partition's segments; in microseconds a record (median, min-max), with the bytes a\n"
      "record takes on disk after each.\n"
      "Example: mayak bench segments company.ndjson --repeats 5");
  auto segments_flags = std::make_shared<SegmentsFlags>();
  segments->add_option("input", segments_flags->input, "NDJSON file, e.g. company.ndjson")
      ->required();
  segments->add_option("--repeats", segments_flags->repeats, "Runs, e.g. --repeats 9")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  segments
      ->add_option("--flush-records", segments_flags->flush_records,
                   "Records of a partition in one flushed segment, e.g. --flush-records 100000")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  auto traces = AddTraceBenchCommands(cmd);
  return {cmd, [flags, pipeline_flags, pipeline, segments_flags, segments, traces] {
            if (std::optional<int> code = traces()) return *code;
            if (pipeline->parsed()) {
              return RunPipelineBench(pipeline_flags->input, pipeline_flags->repeats);
            }
            if (segments->parsed()) {
              return RunSegmentsBench(segments_flags->input, segments_flags->repeats,
                                      segments_flags->flush_records);
            }
            return RunGen(*flags);
          }};
}

}  // namespace mayak
