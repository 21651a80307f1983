// `mayak bench gen-traces` and `mayak bench send-otlp`: the company's traces
// for the tracing benchmark (bench/traces.sh), as OTLP protobuf requests for
// Mayak and as rows for ClickHouse, and a sender that posts the requests as
// an OpenTelemetry exporter would.
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "client/http_client.h"
#include "commands.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "loadgen/company_traces.h"
#include "otlp/otlp_traces_encoder.h"
#include "storage/env.h"

namespace mayak {
namespace {

struct GenTracesFlags {
  uint64_t traces = 100'000;
  uint64_t seed = 1;
  std::string start = "2026-11-24T00:00:00Z";
  double rate = 100;
  std::string format = "otlp";
  size_t batch_spans = 1000;
  std::string output;
};

struct SendFlags {
  std::string input;
  std::string url = "http://127.0.0.1:4318";
  int connections = 2;
};

void WriteStrings(JsonWriter* json, std::string_view key, const std::vector<Attribute>& list,
                  bool keys) {
  json->Key(key).BeginArray();
  for (const Attribute& a : list) {
    if (keys) {
      json->String(a.key);
    } else {
      json->String(std::visit([](const auto& v) { return StrCat(v); }, a.value));
    }
  }
  json->EndArray();
}

// One span as a JSONEachRow line of bench/traces.sh's otel_traces table.
void AppendClickHouseRow(const Span& s, std::string* out) {
  JsonWriter json(out);
  json.BeginObject();
  json.Key("Timestamp").Int(s.start_ns / 1'000'000'000);
  json.Key("TimestampNs").Int(s.start_ns);
  json.Key("TraceId").String(s.trace_id);
  json.Key("SpanId").String(s.span_id);
  json.Key("ParentSpanId").String(s.parent_span_id);
  json.Key("SpanName").String(s.name);
  json.Key("SpanKind").String(SpanKindName(s.kind));
  json.Key("ServiceName").String(s.service);
  WriteStrings(&json, "ResourceKeys", s.resource, true);
  WriteStrings(&json, "ResourceValues", s.resource, false);
  WriteStrings(&json, "AttributeKeys", s.attributes, true);
  WriteStrings(&json, "AttributeValues", s.attributes, false);
  json.Key("Duration").Int(s.duration_ns);
  json.Key("StatusCode")
      .String(s.status == SpanStatus::kError ? "ERROR"
              : s.status == SpanStatus::kOk  ? "OK"
                                             : "");
  json.Key("StatusMessage").String(s.status_message);
  json.Key("EventsTimestamp").BeginArray();
  for (const SpanEvent& e : s.events) json.Int(e.time_ns);
  json.EndArray();
  json.Key("EventsName").BeginArray();
  for (const SpanEvent& e : s.events) json.String(e.name);
  json.EndArray();
  json.Key("LinksTraceId").BeginArray();
  for (const SpanLink& l : s.links) json.String(l.trace_id);
  json.EndArray();
  json.Key("LinksSpanId").BeginArray();
  for (const SpanLink& l : s.links) json.String(l.span_id);
  json.EndArray();
  json.EndObject();
  out->push_back('\n');
}

void AppendRequest(const std::vector<Span>& spans, std::string* out) {
  const std::string request = EncodeOtlpTracesProtobuf(spans);
  const auto size = static_cast<uint32_t>(request.size());
  char prefix[4];
  std::memcpy(prefix, &size, 4);  // little-endian, as this benchmark's machines are
  out->append(prefix, 4);
  out->append(request);
}

int RunGenTraces(const GenTracesFlags& flags) {
  auto start = ParseTimeBound(flags.start, absl::GetCurrentTimeNanos());
  if (!start.ok()) {
    std::cerr << "mayak bench gen-traces: --start: " << StatusMessage(start.status()) << "\n";
    return 2;
  }
  std::ofstream file(flags.output, std::ios::binary | std::ios::trunc);
  if (!file) {
    std::cerr << "mayak bench gen-traces: cannot write " << flags.output << "\n";
    return 1;
  }
  CompanyTraceGenerator generator({flags.seed, *start, flags.rate});
  std::vector<Span> batch;
  std::string buffer;
  uint64_t spans = 0;
  uint64_t requests = 0;
  const auto flush = [&](bool last) {
    if (flags.format == "otlp" && (batch.size() >= flags.batch_spans || (last && !batch.empty()))) {
      AppendRequest(batch, &buffer);
      ++requests;
      batch.clear();
    }
    if (buffer.size() >= (1 << 20) || last) {
      file.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  };
  std::vector<Span> trace;
  for (uint64_t i = 0; i < flags.traces; ++i) {
    trace.clear();
    generator.Next(&trace);
    spans += trace.size();
    for (Span& s : trace) {
      if (flags.format == "clickhouse") {
        AppendClickHouseRow(s, &buffer);
      } else {
        batch.push_back(std::move(s));
      }
    }
    flush(false);
  }
  flush(true);
  file.flush();
  if (!file) {
    std::cerr << "mayak bench gen-traces: write failed\n";
    return 1;
  }
  std::cout << "spans " << spans << " traces " << flags.traces << " requests " << requests << "\n";
  return 0;
}

int RunSendOtlp(const SendFlags& flags) {
  auto data = Env::Default()->ReadFile(flags.input);
  if (!data.ok()) {
    std::cerr << "mayak bench send-otlp: " << StatusMessage(data.status()) << "\n";
    return 1;
  }
  std::vector<std::string_view> requests;
  for (size_t at = 0; at + 4 <= data->size();) {
    uint32_t size = 0;
    std::memcpy(&size, data->data() + at, 4);
    if (at + 4 + size > data->size()) {
      std::cerr << "mayak bench send-otlp: " << flags.input << " is cut at byte " << at << "\n";
      return 1;
    }
    requests.emplace_back(data->data() + at + 4, size);
    at += 4 + size;
  }
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> failures{0};
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> senders;
  for (int c = 0; c < flags.connections; ++c) {
    senders.emplace_back([&] {
      auto client = HttpClient::Create(flags.url);
      if (!client.ok()) {
        failures += 1;
        return;
      }
      for (size_t i = next++; i < requests.size(); i = next++) {
        auto reply = (*client)->Send("POST", "/v1/traces", std::string(requests[i]),
                                     {{"Content-Type", "application/x-protobuf"}});
        if (!reply.ok() || reply->status != 200) {
          if (failures++ == 0) {
            std::cerr << "mayak bench send-otlp: request " << i << ": "
                      << (reply.ok() ? StrCat(reply->status, " ", reply->body)
                                     : std::string(StatusMessage(reply.status())))
                      << "\n";
          }
        }
      }
    });
  }
  for (std::thread& t : senders) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "requests " << requests.size() << " bytes " << data->size() << " seconds " << seconds
            << " failures " << failures.load() << "\n";
  return failures.load() == 0 ? 0 : 1;
}

}  // namespace

std::function<std::optional<int>()> AddTraceBenchCommands(CLI::App* bench) {
  CLI::App* gen = bench->add_subcommand(
      "gen-traces",
      "Write the company's traces, deterministically: orders placed in the shop across the\n"
      "CRM, RabbitMQ and the MES to PostgreSQL, order look-ups, product pages (about 4.3\n"
      "spans a trace), as OTLP protobuf requests (each prefixed by its 4-byte length) for\n"
      "`mayak bench send-otlp`, or as JSONEachRow rows for bench/traces.sh's ClickHouse\n"
      "table. Prints how many spans it wrote.\n"
      "Example: mayak bench gen-traces --traces 1000000 -o spans.otlp");
  auto gen_flags = std::make_shared<GenTracesFlags>();
  gen->add_option("--traces,-n", gen_flags->traces, "How many traces, e.g. -n 1000000")
      ->capture_default_str();
  gen->add_option("--seed", gen_flags->seed, "Random seed, e.g. --seed 7")->capture_default_str();
  gen->add_option("--start", gen_flags->start, "Time of the first trace, e.g. --start now-1d")
      ->capture_default_str();
  gen->add_option("--rate", gen_flags->rate, "Traces a second of simulated time, e.g. --rate 30")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  gen->add_option("--format,-f", gen_flags->format, "otlp or clickhouse, e.g. -f clickhouse")
      ->capture_default_str()
      ->check(CLI::IsMember({"otlp", "clickhouse"}));
  gen->add_option("--batch-spans", gen_flags->batch_spans,
                  "Spans in one OTLP request (whole traces), e.g. --batch-spans 512")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  gen->add_option("--output,-o", gen_flags->output, "File to write, e.g. -o spans.otlp")
      ->required();
  CLI::App* send = bench->add_subcommand(
      "send-otlp",
      "Post the OTLP requests of a `bench gen-traces` file to an OTLP/HTTP endpoint\n"
      "(/v1/traces, protobuf) over several connections, as exporters do; prints the time.\n"
      "Example: mayak bench send-otlp spans.otlp --url http://127.0.0.1:4318");
  auto send_flags = std::make_shared<SendFlags>();
  send->add_option("input", send_flags->input, "A gen-traces --format otlp file")->required();
  send->add_option("--url", send_flags->url, "OTLP/HTTP base URL, e.g. --url http://host:4318")
      ->capture_default_str();
  send->add_option("--connections,-c", send_flags->connections, "Connections at once, e.g. -c 4")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  return [gen, gen_flags, send, send_flags]() -> std::optional<int> {
    if (gen->parsed()) return RunGenTraces(*gen_flags);
    if (send->parsed()) return RunSendOtlp(*send_flags);
    return std::nullopt;
  };
}

}  // namespace mayak
