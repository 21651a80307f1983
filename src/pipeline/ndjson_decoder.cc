#include "pipeline/ndjson_decoder.h"

#include "common/strings.h"
#include "common/units.h"
#include "pipeline/normalize.h"

namespace mayak {

DecodedBatch NdjsonDecoder::Decode(std::string_view body, int64_t received_ns) {
  DecodedBatch batch;
  batch.input_bytes = body.size();
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (StripWhitespace(line).empty()) continue;
    if (line.size() > max_line_bytes_) {
      batch.errors.push_back(
          {line_number, StrCat("line is ", line.size(), " bytes, over limits.max_line (",
                               FormatByteSize(static_cast<int64_t>(max_line_bytes_)), ")")});
      continue;
    }
    simdjson::dom::element document;
    if (auto error = parser_.parse(line.data(), line.size()).get(document)) {
      batch.errors.push_back(
          {line_number, StrCat("invalid JSON: ", simdjson::error_message(error))});
      continue;
    }
    auto record = NormalizeJsonDocument(document, received_ns);
    if (!record.ok()) {
      batch.errors.push_back({line_number, std::string(record.status().message())});
      continue;
    }
    batch.records.push_back(*std::move(record));
  }
  return batch;
}

}  // namespace mayak
