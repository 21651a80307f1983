// The agent's line parsers (plain, JSON, logfmt, regex, access logs,
// PostgreSQL stderr and csvlog, RabbitMQ's log) on any text: the first byte
// picks the parser, the rest is one event's text. Every event encodes to
// one JSON object the server takes: the agent never sends what the server
// must refuse (a JSON line keeps its own fields, so only its JSON-ness is
// checked).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "agent/event_encoder.h"
#include "fuzz_check.h"
#include "pipeline/ndjson_decoder.h"

namespace {

mayak::agent::FileInputConfig InputFor(uint8_t selector) {
  using mayak::agent::LineFormat;
  mayak::agent::FileInputConfig input;
  constexpr LineFormat kFormats[] = {
      LineFormat::kPlain, LineFormat::kJson,       LineFormat::kLogfmt,     LineFormat::kRegex,
      LineFormat::kNginx, LineFormat::kPostgresql, LineFormat::kPostgresql, LineFormat::kRabbitmq};
  input.format = kFormats[selector % 8];
  input.pattern = R"(^(?P<timestamp>\S+ \S+) (?P<level>\w+) (?P<message>(?s:.*)))";
  input.postgresql.log_line_prefix = "%m [%p] %q%u@%d %e ";
  if (selector % 8 == 6) {
    input.postgresql.format = mayak::agent::PostgresqlConfig::Format::kCsvlog;
  }
  input.fields = {{"system", "fuzz"}};
  return input;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const mayak::agent::FileInputConfig input = InputFor(data[0]);
  auto parser = mayak::agent::MakeLineParser(input);
  FUZZ_CHECK(parser.ok(), "a parser of a fixed configuration failed to build");
  mayak::agent::OutputConfig output;
  mayak::agent::EventEncoder encoder(input.fields, output, *std::move(parser));
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string encoded;
  encoder.Encode({text, 7, 7 + static_cast<int64_t>(text.size()), 1, false}, 42, "/var/log/x.log",
                 1796637600'000'000'000, &encoded);
  FUZZ_CHECK(!encoded.empty() && encoded.back() == '\n', "an event without its line end");
  FUZZ_CHECK(encoded.find('\n') == encoded.size() - 1, "an event of more than one line");
  mayak::NdjsonDecoder decoder(16 << 20);
  const mayak::DecodedBatch batch = decoder.Decode(encoded, 1796637600'000'000'000);
  if (input.format == mayak::agent::LineFormat::kJson) {
    FUZZ_CHECK(batch.records.size() + batch.errors.size() == 1, "not one JSON object");
    for (const mayak::LineError& e : batch.errors) {
      FUZZ_CHECK(e.reason.rfind("invalid JSON", 0) != 0, "the agent wrote invalid JSON");
    }
    return 0;
  }
  FUZZ_CHECK(batch.errors.empty(), "the server would refuse the agent's event");
  FUZZ_CHECK(batch.records.size() == 1, "not one record");
  return 0;
}
