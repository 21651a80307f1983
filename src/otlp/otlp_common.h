// What OTLP's logs and traces requests share (opentelemetry-proto's
// common.proto and resource.proto), in both encodings: attributes as typed
// fields (nested maps flattened with dots, arrays as JSON text, bytes as
// hex), the resource's attributes, the instrumentation scope (its name as
// otel.scope.name, its attributes), ids as lowercase hex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "model/log_record.h"
#include "otlp/protobuf_wire.h"
#include "simdjson.h"

namespace mayak {
class JsonWriter;
}  // namespace mayak

namespace mayak::otlp {

// Lowercase hex of raw bytes (trace and span ids).
std::string Hex(std::string_view bytes);
// The bytes lowercase or uppercase hex digits stand for (pairs; a last odd
// digit and any non-hex pair are dropped), the inverse of Hex.
std::string BytesFromHex(std::string_view hex);
bool AllZero(std::string_view bytes);
// A scalar as text (a body that is not a string, an array item in a map).
std::string ValueText(const AttributeValue& value);

// An Export*ServiceResponse: empty when nothing was rejected, else its
// partial_success {rejected = 1, error_message = 2}; in JSON the count is
// under `count_key` (rejectedLogRecords, rejectedSpans).
std::string EncodePartialSuccessProtobuf(uint64_t rejected, std::string_view message);
std::string EncodePartialSuccessJson(std::string_view count_key, uint64_t rejected,
                                     std::string_view message);

// The base of the protobuf decoders: walks messages, keeping the first wire
// error (with its byte offset) in error_.
class ProtobufMessageReader {
 protected:
  using WireReader = protobuf::WireReader;
  using WireType = protobuf::WireType;

  void Check(const WireReader& r) {
    if (!r.ok() && error_.ok()) error_ = r.status();
  }

  // Calls `fn(field, type)` for every field of `r`; a field it does not take
  // (returns false) is skipped. Errors are kept.
  template <typename Fn>
  void ForEachField(WireReader& r, Fn&& fn) {
    uint32_t field = 0;
    WireType type{};
    while (r.Next(&field, &type)) {
      if (!fn(field, type)) r.Skip(type);
    }
    Check(r);
  }

  // Reads a length-delimited field's reader, or records a wire-type error.
  static std::optional<WireReader> Message(WireReader& r, WireType type, std::string_view what);

  // Resource {attributes = 1}.
  void Resource(WireReader r, std::vector<Attribute>* attributes);
  // InstrumentationScope {name = 1, attributes = 3}.
  void Scope(WireReader r, std::vector<Attribute>* scope);
  // KeyValue {key = 1, value = 2}, its key under `prefix`.
  void KeyValue(WireReader r, std::string_view prefix, std::vector<Attribute>* out, int depth);
  // AnyValue's oneof, under `key`.
  void AnyValue(WireReader r, const std::string& key, std::vector<Attribute>* out, int depth);

  absl::Status error_;

 private:
  void ArrayJson(WireReader r, JsonWriter* json, int depth);
};

// The JSON encoding (OTLP/JSON: camelCase keys, int64 as strings, ids as
// hex).
namespace json {

// A list of KeyValue objects, keys under `prefix`.
void Attributes(simdjson::dom::array list, std::string_view prefix, std::vector<Attribute>* out,
                int depth);
// An AnyValue object ({"stringValue": "a"}, {"kvlistValue": ...}) under
// `key` (a map's fields under key.field).
void AnyValue(simdjson::dom::object value, const std::string& key, std::vector<Attribute>* out,
              int depth);
// {"resource": {"attributes": [...]}} of a resourceLogs or resourceSpans item.
void ResourceAttributes(simdjson::dom::element resource_item, std::vector<Attribute>* out);
// {"scope": {"name", "attributes"}} of a scopeLogs or scopeSpans item.
void ScopeAttributes(simdjson::dom::element scope_item, std::vector<Attribute>* out);
// The request's list under `key` ("resourceLogs", "resourceSpans") in
// `*resources`, parsed by `parser`; an empty list when the key is absent,
// an error when the body is not a JSON object or the key not a list.
absl::Status ResourceList(simdjson::dom::parser& parser, std::string_view body,
                          std::string_view key, simdjson::dom::array* resources);
// A 64-bit number written as a string of digits (as OTLP/JSON does) or as
// a JSON number.
std::optional<uint64_t> Unsigned(simdjson::dom::element e);

}  // namespace json
}  // namespace mayak::otlp
