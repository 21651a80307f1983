// Writes the fuzz targets' starting inputs that are binary or generated,
// made with the real encoders so they follow the formats as they are today:
//
//   mayak_fuzz_seeds DIR    ->  DIR/<target>/seed-N for each target below
//
// The hand-written text seeds live in fuzz/corpus/<target>/.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/company_logs.h"
#include "pipeline/ndjson_decoder.h"
#include "storage/column_encoding.h"
#include "storage/record_codec.h"
#include "storage/row_references.h"
#include "storage/segment_format.h"
#include "storage/string_templates.h"
#include "storage/wal_format.h"
#include "support/compression.h"

namespace {

namespace fs = std::filesystem;

void Write(const fs::path& dir, std::string_view target, int n, std::string_view bytes) {
  fs::create_directories(dir / target);
  std::ofstream out(dir / target / ("seed-" + std::to_string(n)), std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string CompanyNdjson(uint64_t seed, int lines) {
  mayak::CompanyLogOptions options;
  options.seed = seed;
  mayak::CompanyLogGenerator generator(options);
  std::string out;
  for (int i = 0; i < lines; ++i) generator.NextNdjson(&out);
  return out;
}

// The column_chunk_fuzz header: type, version, rows, present.
std::string ChunkHeader(uint8_t type, size_t rows) {
  std::string header;
  header.push_back(static_cast<char>(type - 1));
  header.push_back(static_cast<char>(mayak::segment::kVersion - 1));  // the latest version
  for (int i = 0; i < 2; ++i) header.push_back(static_cast<char>((rows >> (8 * i)) & 0xff));
  for (int i = 0; i < 2; ++i) header.push_back(static_cast<char>((rows >> (8 * i)) & 0xff));
  return header;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\nWrites generated seed inputs for the fuzz targets.\n",
                 argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  mayak::NdjsonDecoder decoder(1 << 20);

  std::vector<std::string> batches;
  for (int n = 0; n < 3; ++n) {
    const std::string ndjson = CompanyNdjson(static_cast<uint64_t>(n) + 1, 4 + 3 * n);
    Write(dir, "ndjson_fuzz", n, ndjson);
    Write(dir, "body_encoding_fuzz", 2 * n, std::string(1, '\0') + mayak::testing::Gzip(ndjson));
    Write(dir, "body_encoding_fuzz", 2 * n + 1,
          std::string(1, '\2') + mayak::testing::Zstd(ndjson));
    std::string batch;
    mayak::EncodeRecordBatch(decoder.Decode(ndjson, 0).records, &batch);
    Write(dir, "record_batch_fuzz", n, batch);
    batches.push_back(batch);
  }

  // A whole WAL file (mode 0, split so the second file is the newest), and
  // the same entries for the framing mode (mode 1, not cut).
  std::string file = mayak::wal::FileHeader();
  std::string framed;
  for (const std::string& batch : batches) {
    mayak::wal::AppendEntry(mayak::wal::EntryType::kLogBatch, batch, &file);
    const std::string_view head = std::string_view(batch).substr(0, 255);
    framed.push_back(static_cast<char>(head.size()));
    framed.push_back(static_cast<char>(mayak::wal::EntryType::kLogBatch));
    framed.append(head);
  }
  Write(dir, "wal_fuzz", 0, std::string("\0\0\0", 3) + file);
  Write(dir, "wal_fuzz", 1, std::string("\1\xff\xff", 3) + framed);

  const std::vector<int64_t> timestamps = {1'795'478'400'000'000'000, 1'795'478'400'001'000'000,
                                           1'795'478'400'003'000'000, 1'795'478'400'003'000'000};
  const std::vector<int64_t> durations = {32'000'000, -5, 7'000'000'000, 0};
  const std::vector<std::string_view> services = {"shop-api", "crm-api", "shop-api", "mes-orders"};
  const std::vector<std::string_view> messages = {"GET /api/orders/83057 200 32ms",
                                                  "payment failed: connection refused", "", "ok"};
  std::string chunk;
  mayak::EncodeTimestamps(timestamps, &chunk);
  Write(dir, "column_chunk_fuzz", 0, ChunkHeader(1, timestamps.size()) + chunk);
  chunk.clear();
  mayak::EncodeIntegers(durations, &chunk);
  Write(dir, "column_chunk_fuzz", 1, ChunkHeader(5, durations.size()) + chunk);
  const std::vector<int64_t> statuses = {200, 200, 500, 404, 200, 201, 200, 200, 500};
  chunk.clear();
  mayak::EncodeIntegers(statuses, &chunk);  // a dictionary
  Write(dir, "column_chunk_fuzz", 4, ChunkHeader(5, statuses.size()) + chunk);
  chunk.clear();
  mayak::EncodeStrings(services, &chunk);
  Write(dir, "column_chunk_fuzz", 2, ChunkHeader(4, services.size()) + chunk);
  chunk.clear();
  mayak::EncodeStrings(messages, &chunk);
  Write(dir, "column_chunk_fuzz", 3, ChunkHeader(4, messages.size()) + chunk);
  const std::vector<std::string_view> trace_ids = {"4bf92f3577b34da6a3ce929d0e0e4736",
                                                   "00f067aa0ba902b74bf92f3577b34da6"};
  chunk.clear();
  mayak::EncodeStrings(trace_ids, &chunk);  // hexadecimal, as bytes
  Write(dir, "column_chunk_fuzz", 5, ChunkHeader(4, trace_ids.size()) + chunk);
  const std::vector<std::string_view> addresses = {"10.3.76.230", "192.168.0.1", "0.0.0.0"};
  chunk.clear();
  mayak::EncodeStrings(addresses, &chunk, 0);  // IPv4, as bytes
  Write(dir, "column_chunk_fuzz", 6, ChunkHeader(4, addresses.size()) + chunk);
  const std::vector<std::string_view> users = {"u175413", "u84761", "u0", "u84761"};
  chunk.clear();
  mayak::EncodeStrings(users, &chunk, 0);  // a prefix and numbers
  Write(dir, "column_chunk_fuzz", 7, ChunkHeader(4, users.size()) + chunk);
  // Messages as templates referring to the fuzz target's made-up columns:
  // 1, a method by row, and 2, a number by row (r * 37, none when r % 5 is 4).
  std::vector<std::string> requests;
  for (size_t r = 0; r < 40; ++r) {
    requests.push_back(std::string(r % 2 == 0 ? "GET" : "POST") + " /api/orders/" +
                       (r % 5 == 4 ? "cart" : std::to_string(r * 37)) + " took " +
                       std::to_string(r % 9) + "ms");
  }
  std::vector<std::string_view> method_values;
  std::vector<int64_t> number_values;
  std::vector<uint32_t> number_of_row;
  for (size_t r = 0; r < requests.size(); ++r) {
    method_values.emplace_back(r % 2 == 0 ? "GET" : "POST");
    number_of_row.push_back(r % 5 == 4 ? mayak::RowTexts::kNoValue
                                       : static_cast<uint32_t>(number_values.size()));
    if (r % 5 != 4) number_values.push_back(static_cast<int64_t>(r * 37));
  }
  const auto methods = mayak::RowTexts::Strings(1, requests.size(), method_values, {}, {});
  const auto numbers = mayak::RowTexts::Integers(2, requests.size(), number_values, number_of_row);
  chunk.assign(1, static_cast<char>(mayak::StringEncoding::kTemplate));
  if (!mayak::EncodeTemplatedStrings({requests.begin(), requests.end()}, {}, {&methods, &numbers},
                                     mayak::segment::kVersion, &chunk)) {
    std::fprintf(stderr, "templates refused the seed messages\n");
    return 1;
  }
  Write(dir, "column_chunk_fuzz", 8, ChunkHeader(4, requests.size()) + chunk);
  // Row references: values repeated from earlier rows of the chunk's own
  // column (0), and values of column 1 (the methods) at other rows.
  const std::vector<std::string_view> repeated = {"4bf92f35", "4bf92f35", "00f067aa", "4bf92f35"};
  std::vector<uint32_t> sources;
  mayak::FindSourceRows({repeated, {}}, nullptr, &sources);
  chunk.assign(1, static_cast<char>(mayak::StringEncoding::kRowReferences));
  mayak::EncodeRowReferences({repeated, {}}, 0, sources, mayak::segment::kVersion, &chunk);
  Write(dir, "column_chunk_fuzz", 9, ChunkHeader(4, repeated.size()) + chunk);
  const std::vector<std::string_view> methods_again = {"POST", "GET", "PATCH", "GET"};
  const mayak::RowsByValue by_method({method_values, {}});
  mayak::FindSourceRows({methods_again, {}}, &by_method, &sources);
  chunk.assign(1, static_cast<char>(mayak::StringEncoding::kRowReferences));
  mayak::EncodeRowReferences({methods_again, {}}, 1, sources, mayak::segment::kVersion, &chunk);
  Write(dir, "column_chunk_fuzz", 10, ChunkHeader(4, methods_again.size()) + chunk);
  return 0;
}
