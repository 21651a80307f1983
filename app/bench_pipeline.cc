// `mayak bench pipeline FILE`: one thread's throughput, in MB of input a
// second, of each ingest decoder on the same records — NDJSON, an
// Elasticsearch bulk body, OTLP/JSON, OTLP protobuf, RFC 5424 syslog —
// alone and followed by the ingest pipeline (JSON messages, routes,
// redaction), of redaction alone, and of unpacking gzipped requests (against
// zlib's inflate). The other formats are made from the file's records before
// anything is timed.
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "api/body_encoding.h"
#include "client/body_compression.h"
#include "commands.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "elastic/bulk_request.h"
#include "otlp/otlp_logs.h"
#include "otlp/protobuf_wire.h"
#include "pipeline/ingest_pipeline.h"
#include "pipeline/ndjson_decoder.h"
#include "pipeline/normalize.h"
#include "pipeline/redaction.h"
#include "storage/env.h"
#include "syslog/syslog_message.h"

namespace mayak {
namespace {

constexpr size_t kRecordsPerRequest = 1000;

// Seconds `fn` takes, sorted, over `repeats` runs; `setup` runs untimed.
template <typename Setup, typename Fn>
std::vector<double> Time(int repeats, Setup&& setup, Fn&& fn) {
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    setup();
    const auto start = std::chrono::steady_clock::now();
    fn();
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds;
}

void Report(std::string_view what, size_t bytes, size_t records,
            const std::vector<double>& seconds) {
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf("%-34s %7.1f MB/s (%.1f-%.1f) %6.0fk records/s, %.1f MB\n", std::string(what).c_str(),
              mb / seconds[seconds.size() / 2], mb / seconds.back(), mb / seconds.front(),
              static_cast<double>(records) / seconds[seconds.size() / 2] / 1e3, mb);
}

void WriteOtlpJsonValue(const AttributeValue& v, JsonWriter* json) {
  json->BeginObject();
  switch (v.index()) {
    case 0:
      json->Key("stringValue").String(std::get<std::string>(v));
      break;
    case 1:
      json->Key("intValue").String(StrCat(std::get<int64_t>(v)));
      break;
    case 2:
      json->Key("doubleValue").Double(std::get<double>(v));
      break;
    default:
      json->Key("boolValue").Bool(std::get<bool>(v));
  }
  json->EndObject();
}

// OTLP/JSON requests of kRecordsPerRequest records each.
std::vector<std::string> OtlpJson(const std::vector<LogRecord>& records) {
  std::vector<std::string> requests;
  for (size_t begin = 0; begin < records.size(); begin += kRecordsPerRequest) {
    std::string& body = requests.emplace_back();
    JsonWriter json(&body);
    json.BeginObject().Key("resourceLogs").BeginArray().BeginObject();
    json.Key("scopeLogs").BeginArray().BeginObject().Key("logRecords").BeginArray();
    for (size_t i = begin; i < std::min(records.size(), begin + kRecordsPerRequest); ++i) {
      const LogRecord& r = records[i];
      json.BeginObject();
      json.Key("timeUnixNano").String(StrCat(r.timestamp_ns));
      json.Key("severityText").String(LevelName(r.level));
      json.Key("body").BeginObject().Key("stringValue").String(r.message).EndObject();
      json.Key("attributes").BeginArray();
      json.BeginObject().Key("key").String("service.name").Key("value");
      WriteOtlpJsonValue(r.service, &json);
      json.EndObject();
      for (const Attribute& a : r.attributes) {
        json.BeginObject().Key("key").String(a.key).Key("value");
        WriteOtlpJsonValue(a.value, &json);
        json.EndObject();
      }
      json.EndArray().EndObject();
    }
    json.EndArray().EndObject().EndArray().EndObject().EndArray().EndObject();
  }
  return requests;
}

std::string ProtoValue(const AttributeValue& v) {
  std::string out;
  switch (v.index()) {
    case 0:
      protobuf::PutBytesField(&out, 1, std::get<std::string>(v));
      break;
    case 1:
      protobuf::PutVarintField(&out, 3, static_cast<uint64_t>(std::get<int64_t>(v)));
      break;
    case 2: {
      out.push_back(static_cast<char>((4 << 3) | 1));
      const auto bits = std::bit_cast<uint64_t>(std::get<double>(v));
      for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
      break;
    }
    default:
      protobuf::PutVarintField(&out, 2, std::get<bool>(v) ? 1 : 0);
  }
  return out;
}

std::string ProtoKeyValue(std::string_view key, const AttributeValue& v) {
  std::string kv;
  protobuf::PutBytesField(&kv, 1, key);
  protobuf::PutBytesField(&kv, 2, ProtoValue(v));
  return kv;
}

// OTLP protobuf requests of kRecordsPerRequest records each.
std::vector<std::string> OtlpProtobuf(const std::vector<LogRecord>& records) {
  std::vector<std::string> requests;
  for (size_t begin = 0; begin < records.size(); begin += kRecordsPerRequest) {
    std::string scope_logs;
    for (size_t i = begin; i < std::min(records.size(), begin + kRecordsPerRequest); ++i) {
      const LogRecord& r = records[i];
      std::string record;
      record.push_back(static_cast<char>((1 << 3) | 1));
      for (int b = 0; b < 8; ++b) {
        record.push_back(
            static_cast<char>((static_cast<uint64_t>(r.timestamp_ns) >> (8 * b)) & 0xff));
      }
      protobuf::PutBytesField(&record, 3, LevelName(r.level));
      protobuf::PutBytesField(&record, 5, ProtoValue(r.message));
      protobuf::PutBytesField(&record, 6, ProtoKeyValue("service.name", r.service));
      for (const Attribute& a : r.attributes) {
        protobuf::PutBytesField(&record, 6, ProtoKeyValue(a.key, a.value));
      }
      protobuf::PutBytesField(&scope_logs, 2, record);
    }
    std::string resource_logs;
    protobuf::PutBytesField(&resource_logs, 2, scope_logs);
    protobuf::PutBytesField(&requests.emplace_back(), 1, resource_logs);
  }
  return requests;
}

// RFC 5424 lines: the record's service as APP-NAME, its message as MSG.
std::vector<std::string> Syslog(const std::vector<LogRecord>& records) {
  std::vector<std::string> lines;
  lines.reserve(records.size());
  for (const LogRecord& r : records) {
    lines.push_back(StrCat("<134>1 ", FormatRfc3339(r.timestamp_ns), " web-1 ",
                           r.service.empty() ? "-" : r.service, " 4242 - - ", r.message));
  }
  return lines;
}

// zlib's inflate of one gzip member into `out`, sized beforehand to the
// `size` it holds; the bytes unpacked.
size_t ZlibGunzip(const std::string& gzipped, size_t size, std::string* out) {
  out->resize(size);
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return 0;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzipped.data()));
  stream.avail_in = static_cast<uInt>(gzipped.size());
  stream.next_out = reinterpret_cast<Bytef*>(out->data());
  stream.avail_out = static_cast<uInt>(out->size());
  const int rc = inflate(&stream, Z_FINISH);
  const size_t unpacked = rc == Z_STREAM_END ? stream.total_out : 0;
  inflateEnd(&stream);
  return unpacked;
}

size_t Bytes(const std::vector<std::string>& parts) {
  size_t n = 0;
  for (const std::string& p : parts) n += p.size();
  return n;
}

}  // namespace

int RunPipelineBench(const std::string& input, int repeats) {
  auto contents = Env::Default()->ReadFile(input);
  if (!contents.ok()) {
    std::cerr << "mayak bench pipeline: cannot read " << input << ": "
              << StatusMessage(contents.status()) << "\n";
    return 1;
  }
  const std::string ndjson = *std::move(contents);
  NdjsonDecoder decoder(1 << 20);
  const DecodedBatch batch = decoder.Decode(ndjson, 0);
  const size_t n = batch.records.size();
  std::printf(
      "%zu records (%zu rejected) from %s; every format decoded in requests of %zu "
      "records, each request's records dropped after it\n",
      n, batch.errors.size(), input.c_str(), kRecordsPerRequest);
  auto pipeline = IngestPipeline::Create({});
  if (!pipeline.ok()) return 1;
  // Each format twice: decoding and normalization alone, then with the
  // pipeline every record then passes (JSON messages, routes, redaction).
  const auto run = [&](std::string_view what, const std::vector<std::string>& requests,
                       auto decode_one) {
    for (const bool whole : {false, true}) {
      size_t records = 0;
      const auto times = Time(
          repeats, [] {},
          [&] {
            records = 0;
            for (const std::string& r : requests) {
              std::vector<LogRecord> decoded = decode_one(r);
              if (whole) {
                for (LogRecord& record : decoded) (*pipeline)->Process(&record);
              }
              records += decoded.size();
            }
          });
      Report(StrCat(what, whole ? " + pipeline" : ""), Bytes(requests), records, times);
    }
  };
  std::vector<std::string> ndjson_requests;
  std::vector<std::string> bulk_requests;
  size_t lines = 0;
  for (std::string_view line : Split(ndjson, '\n', true)) {
    if (lines++ % kRecordsPerRequest == 0) {
      ndjson_requests.emplace_back();
      bulk_requests.emplace_back();
    }
    StrAppend(&ndjson_requests.back(), line, "\n");
    StrAppend(&bulk_requests.back(), R"({"create":{"_index":"logs-shop-default"}})", "\n", line,
              "\n");
  }
  run("NDJSON (native API)", ndjson_requests,
      [&decoder](const std::string& body) { return decoder.Decode(body, 0).records; });
  run("Elasticsearch bulk", bulk_requests, [](const std::string& body) {
    std::vector<LogRecord> records;
    auto items = ParseBulkBody(body, "");
    if (!items.ok()) return records;
    thread_local simdjson::dom::parser parser;
    for (const BulkItem& item : *items) {
      simdjson::dom::element document;
      if (parser.parse(item.source.data(), item.source.size()).get(document)) continue;
      auto record = NormalizeJsonDocument(document, 0);
      if (record.ok()) records.push_back(*std::move(record));
    }
    return records;
  });
  run("OTLP/JSON", OtlpJson(batch.records), [](const std::string& body) {
    auto decoded = DecodeOtlpLogsJson(body, 0);
    return decoded.ok() ? std::move(decoded->records) : std::vector<LogRecord>{};
  });
  run("OTLP protobuf", OtlpProtobuf(batch.records), [](const std::string& body) {
    auto decoded = DecodeOtlpLogsProtobuf(body, 0);
    return decoded.ok() ? std::move(decoded->records) : std::vector<LogRecord>{};
  });
  run("syslog RFC 5424", Syslog(batch.records), [](const std::string& line) {
    std::vector<LogRecord> records;
    auto record = ParseSyslogMessage(line, 0);
    if (record.ok()) records.push_back(*std::move(record));
    return records;
  });

  std::vector<LogRecord> records;
  const auto redact = Time(
      repeats, [&] { records = batch.records; },
      [&] {
        for (LogRecord& r : records) (*pipeline)->redactor().Redact(&r);
      });
  Report("redaction alone (NDJSON MB)", ndjson.size(), n, redact);

  // The same requests gzipped as Filebeat sends them (level 1): unpacked as
  // the server does, then by zlib's inflate into a buffer of the right size,
  // the usual way, for comparison.
  std::vector<std::string> gzipped;
  gzipped.reserve(ndjson_requests.size());
  for (const std::string& r : ndjson_requests) gzipped.push_back(GzipCompress(r, 1));
  std::string unpacked;
  size_t bytes_out = 0;
  const auto ours = Time(
      repeats, [] {},
      [&] {
        bytes_out = 0;
        for (const std::string& g : gzipped) {
          auto body = DecodeContentEncoding("gzip", g, uint64_t{1} << 30, &unpacked);
          bytes_out += body.ok() ? body->size() : 0;
        }
      });
  if (bytes_out != ndjson.size()) std::cerr << "gzip bodies did not unpack whole\n";
  Report("gzip bodies unpacked (NDJSON MB)", ndjson.size(), n, ours);
  const auto zlib = Time(
      repeats, [] {},
      [&] {
        bytes_out = 0;
        for (size_t i = 0; i < gzipped.size(); ++i) {
          bytes_out += ZlibGunzip(gzipped[i], ndjson_requests[i].size(), &unpacked);
        }
      });
  if (bytes_out != ndjson.size()) std::cerr << "zlib did not unpack the bodies whole\n";
  Report("  zlib inflate, the same bodies", ndjson.size(), n, zlib);
  return 0;
}

}  // namespace mayak
