#include "otlp/otlp_common.h"

#include <bit>
#include <charconv>
#include <utility>

#include "common/json_writer.h"
#include "common/strings.h"

namespace mayak::otlp {
namespace {

// Nested maps and arrays deeper than this are cut off, so that no input can
// exhaust the stack.
constexpr int kMaxDepth = 16;

std::string JoinKey(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : StrCat(prefix, ".", key);
}

}  // namespace

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string BytesFromHex(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (ec == std::errc() && end == hex.data() + i + 2) out.push_back(static_cast<char>(value));
  }
  return out;
}

bool AllZero(std::string_view bytes) {
  return bytes.find_first_not_of('\0') == std::string_view::npos;
}

std::string ValueText(const AttributeValue& value) {
  switch (value.index()) {
    case 0:
      return std::get<std::string>(value);
    case 1:
      return StrCat(std::get<int64_t>(value));
    case 2:
      return StrCat(std::get<double>(value));
    default:
      return std::get<bool>(value) ? "true" : "false";
  }
}

std::string EncodePartialSuccessProtobuf(uint64_t rejected, std::string_view message) {
  if (rejected == 0) return "";
  std::string partial;
  protobuf::PutVarintField(&partial, 1, rejected);
  if (!message.empty()) protobuf::PutBytesField(&partial, 2, message);
  std::string out;
  protobuf::PutBytesField(&out, 1, partial);
  return out;
}

std::string EncodePartialSuccessJson(std::string_view count_key, uint64_t rejected,
                                     std::string_view message) {
  if (rejected == 0) return "{}";
  std::string out;
  JsonWriter json(&out);
  json.BeginObject().Key("partialSuccess").BeginObject();
  json.Key(count_key).String(StrCat(rejected));
  json.Key("errorMessage").String(message);
  json.EndObject().EndObject();
  return out;
}

std::optional<protobuf::WireReader> ProtobufMessageReader::Message(WireReader& r, WireType type,
                                                                   std::string_view what) {
  if (type != WireType::kLengthDelimited) {
    r.Fail(StrCat(what, " is not length-delimited"));
    return std::nullopt;
  }
  const std::string_view bytes = r.Bytes();
  if (!r.ok()) return std::nullopt;
  return r.Nested(bytes);
}

void ProtobufMessageReader::Resource(WireReader r, std::vector<Attribute>* attributes) {
  ForEachField(r, [&](uint32_t field, WireType type) {
    if (field != 1) return false;
    if (auto m = Message(r, type, "an attribute")) KeyValue(*m, "", attributes, 0);
    return true;
  });
}

void ProtobufMessageReader::Scope(WireReader r, std::vector<Attribute>* scope) {
  ForEachField(r, [&](uint32_t field, WireType type) {
    if (field == 1 && type == WireType::kLengthDelimited) {
      const std::string_view name = r.Bytes();
      if (!name.empty()) scope->push_back({"otel.scope.name", std::string(name)});
      return true;
    }
    if (field != 3) return false;
    if (auto m = Message(r, type, "a scope attribute")) KeyValue(*m, "", scope, 0);
    return true;
  });
}

void ProtobufMessageReader::KeyValue(WireReader r, std::string_view prefix,
                                     std::vector<Attribute>* out, int depth) {
  std::string_view key;
  std::optional<WireReader> value;
  ForEachField(r, [&](uint32_t field, WireType type) {
    if (field == 1 && type == WireType::kLengthDelimited) {
      key = r.Bytes();
    } else if (field == 2) {
      value = Message(r, type, "a value");
    } else {
      return false;
    }
    return true;
  });
  if (r.ok() && value && !key.empty()) AnyValue(*value, JoinKey(prefix, key), out, depth);
}

void ProtobufMessageReader::AnyValue(WireReader r, const std::string& key,
                                     std::vector<Attribute>* out, int depth) {
  uint32_t field = 0;
  WireType type{};
  while (r.Next(&field, &type)) {
    if (field == 1 && type == WireType::kLengthDelimited) {
      out->push_back({key, std::string(r.Bytes())});
    } else if (field == 2 && type == WireType::kVarint) {
      out->push_back({key, r.Varint() != 0});
    } else if (field == 3 && type == WireType::kVarint) {
      out->push_back({key, static_cast<int64_t>(r.Varint())});
    } else if (field == 4 && type == WireType::kFixed64) {
      out->push_back({key, std::bit_cast<double>(r.Fixed64())});
    } else if (field == 5) {
      if (auto m = Message(r, type, "an array")) {
        std::string json;
        JsonWriter writer(&json);
        ArrayJson(*m, &writer, depth + 1);
        out->push_back({key, std::move(json)});
      }
    } else if (field == 6) {
      if (auto m = Message(r, type, "a map")) {
        if (depth >= kMaxDepth) {
          m->Fail("maps nested too deep");
          Check(*m);
          continue;
        }
        ForEachField(*m, [&](uint32_t inner, WireType inner_type) {
          if (inner != 1) return false;
          if (auto kv = Message(*m, inner_type, "a map entry")) {
            KeyValue(*kv, key, out, depth + 1);
          }
          return true;
        });
      }
    } else if (field == 7 && type == WireType::kLengthDelimited) {
      out->push_back({key, Hex(r.Bytes())});
    } else {
      r.Skip(type);
    }
  }
  Check(r);
}

void ProtobufMessageReader::ArrayJson(WireReader r, JsonWriter* json, int depth) {
  json->BeginArray();
  uint32_t field = 0;
  WireType type{};
  while (r.Next(&field, &type)) {
    if (field != 1) {
      r.Skip(type);
      continue;
    }
    auto m = Message(r, type, "an array value");
    if (!m) break;
    if (depth >= kMaxDepth) {
      m->Fail("arrays nested too deep");
      Check(*m);
      break;
    }
    std::vector<Attribute> value;
    // Scalars and maps through AnyValue; nested arrays written in place.
    AnyValue(*m, "", &value, depth);
    if (value.size() == 1 && value[0].key.empty()) {
      const AttributeValue& v = value[0].value;
      switch (v.index()) {
        case 0:
          json->String(std::get<std::string>(v));
          break;
        case 1:
          json->Int(std::get<int64_t>(v));
          break;
        case 2:
          json->Double(std::get<double>(v));
          break;
        default:
          json->Bool(std::get<bool>(v));
      }
    } else if (!value.empty() && value[0].key.empty()) {
      json->Raw(std::get<std::string>(value[0].value));  // an array's JSON
    } else {
      json->BeginObject();
      for (const Attribute& a : value) {
        json->Key(a.key).String(ValueText(a.value));
      }
      json->EndObject();
    }
  }
  Check(r);
  json->EndArray();
}

namespace json {
namespace {

// An AnyValue ({"stringValue": "a"}, {"arrayValue": {"values": [...]}},
// ...) as the plain JSON value it stands for.
void PlainJson(simdjson::dom::object value, JsonWriter* json, int depth) {
  std::string_view text;
  bool flag = false;
  double number = 0;
  int64_t integer = 0;
  simdjson::dom::element e;
  simdjson::dom::array values;
  if (value["stringValue"].get_string().get(text) == simdjson::SUCCESS ||
      value["bytesValue"].get_string().get(text) == simdjson::SUCCESS) {
    json->String(text);
  } else if (value["boolValue"].get_bool().get(flag) == simdjson::SUCCESS) {
    json->Bool(flag);
  } else if (value["intValue"].get(e) == simdjson::SUCCESS) {
    if (e.get_int64().get(integer) == simdjson::SUCCESS ||
        (e.get_string().get(text) == simdjson::SUCCESS &&
         std::from_chars(text.data(), text.data() + text.size(), integer).ec == std::errc())) {
      json->Int(integer);
    } else {
      json->Null();
    }
  } else if (value["doubleValue"].get_double().get(number) == simdjson::SUCCESS) {
    json->Double(number);
  } else if (depth < kMaxDepth &&
             value["arrayValue"]["values"].get_array().get(values) == simdjson::SUCCESS) {
    json->BeginArray();
    for (simdjson::dom::element item : values) {
      simdjson::dom::object inner;
      if (item.get_object().get(inner) == simdjson::SUCCESS) {
        PlainJson(inner, json, depth + 1);
      } else {
        json->Null();
      }
    }
    json->EndArray();
  } else if (depth < kMaxDepth &&
             value["kvlistValue"]["values"].get_array().get(values) == simdjson::SUCCESS) {
    json->BeginObject();
    for (simdjson::dom::element kv : values) {
      std::string_view k;
      simdjson::dom::object inner;
      if (kv["key"].get_string().get(k) != simdjson::SUCCESS) continue;
      json->Key(k);
      if (kv["value"].get_object().get(inner) == simdjson::SUCCESS) {
        PlainJson(inner, json, depth + 1);
      } else {
        json->Null();
      }
    }
    json->EndObject();
  } else if (value["arrayValue"].error() == simdjson::SUCCESS) {
    json->BeginArray().EndArray();
  } else {
    json->Null();
  }
}

}  // namespace

// A 64-bit number written as a string of digits (as OTLP/JSON does) or
// as a JSON number.
std::optional<uint64_t> Unsigned(simdjson::dom::element e) {
  uint64_t n = 0;
  if (e.get_uint64().get(n) == simdjson::SUCCESS) return n;
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

void Attributes(simdjson::dom::array list, std::string_view prefix, std::vector<Attribute>* out,
                int depth) {
  for (simdjson::dom::element kv : list) {
    std::string_view key;
    simdjson::dom::object value;
    if (kv["key"].get_string().get(key) != simdjson::SUCCESS || key.empty()) continue;
    if (kv["value"].get_object().get(value) != simdjson::SUCCESS) continue;
    AnyValue(value, JoinKey(prefix, key), out, depth);
  }
}

absl::Status ResourceList(simdjson::dom::parser& parser, std::string_view body,
                          std::string_view key, simdjson::dom::array* resources) {
  simdjson::dom::object root;
  if (auto error = parser.parse(body.data(), body.size()).get_object().get(root)) {
    return absl::InvalidArgumentError(
        StrCat("the body is not a JSON object: ", simdjson::error_message(error)));
  }
  if (root[key].get_array().get(*resources) != simdjson::SUCCESS) {
    if (root[key].error() != simdjson::NO_SUCH_FIELD) {
      return absl::InvalidArgumentError(StrCat(key, " must be an array"));
    }
    // No list: an empty one, from a document of its own.
    if (parser.parse(std::string_view("[]")).get_array().get(*resources) != simdjson::SUCCESS) {
      return absl::InternalError("cannot make an empty list");
    }
  }
  return absl::OkStatus();
}

void ResourceAttributes(simdjson::dom::element resource_item, std::vector<Attribute>* out) {
  simdjson::dom::array attributes;
  if (resource_item["resource"]["attributes"].get_array().get(attributes) == simdjson::SUCCESS) {
    Attributes(attributes, "", out, 0);
  }
}

void ScopeAttributes(simdjson::dom::element scope_item, std::vector<Attribute>* out) {
  std::string_view name;
  if (scope_item["scope"]["name"].get_string().get(name) == simdjson::SUCCESS && !name.empty()) {
    out->push_back({"otel.scope.name", std::string(name)});
  }
  simdjson::dom::array attributes;
  if (scope_item["scope"]["attributes"].get_array().get(attributes) == simdjson::SUCCESS) {
    Attributes(attributes, "", out, 0);
  }
}

void AnyValue(simdjson::dom::object value, const std::string& key, std::vector<Attribute>* out,
              int depth) {
  std::string_view text;
  bool flag = false;
  double number = 0;
  simdjson::dom::element e;
  // bytesValue: base64, kept as sent.
  if (value["stringValue"].get_string().get(text) == simdjson::SUCCESS ||
      value["bytesValue"].get_string().get(text) == simdjson::SUCCESS) {
    out->push_back({key, std::string(text)});
  } else if (value["boolValue"].get_bool().get(flag) == simdjson::SUCCESS) {
    out->push_back({key, flag});
  } else if (value["intValue"].get(e) == simdjson::SUCCESS) {
    // A string of digits, as OTLP/JSON writes int64, or a number.
    int64_t n = 0;
    std::string_view digits;
    const bool parsed =
        e.get_int64().get(n) == simdjson::SUCCESS ||
        (e.get_string().get(digits) == simdjson::SUCCESS &&
         std::from_chars(digits.data(), digits.data() + digits.size(), n).ec == std::errc());
    if (parsed) out->push_back({key, n});
  } else if (value["doubleValue"].get_double().get(number) == simdjson::SUCCESS) {
    out->push_back({key, number});
  } else if (value["arrayValue"].get(e) == simdjson::SUCCESS) {
    // Kept as JSON text of the plain values, as from protobuf: ["a",1].
    std::string json;
    JsonWriter writer(&json);
    PlainJson(value, &writer, depth);
    out->push_back({key, std::move(json)});
  } else if (value["kvlistValue"].get(e) == simdjson::SUCCESS) {
    simdjson::dom::array values;
    if (depth < kMaxDepth && e["values"].get_array().get(values) == simdjson::SUCCESS) {
      Attributes(values, key, out, depth + 1);
    }
  }
}

}  // namespace json
}  // namespace mayak::otlp
