#include "jaeger/jaeger_json.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/strings.h"

namespace mayak {
namespace {

constexpr int64_t kNanosPerMicro = 1000;

void WriteTag(std::string_view key, const AttributeValue& value, JsonWriter* json) {
  json->BeginObject().Key("key").String(key).Key("type");
  std::visit(
      [json](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          json->String("string").Key("value").String(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          json->String("int64").Key("value").Int(v);
        } else if constexpr (std::is_same_v<T, double>) {
          json->String("float64").Key("value").Double(v);
        } else {
          json->String("bool").Key("value").Bool(v);
        }
      },
      value);
  json->EndObject();
}

void WriteTags(const std::vector<Attribute>& attributes, JsonWriter* json) {
  for (const Attribute& a : attributes) WriteTag(a.key, a.value, json);
}

// The tags Jaeger shows for what the span itself says: its kind, status,
// error flag (what Jaeger's UI marks spans red by).
void WriteSpanTags(const Span& span, JsonWriter* json) {
  json->Key("tags").BeginArray();
  WriteTags(span.attributes, json);
  if (span.kind != SpanKind::kUnspecified) {
    WriteTag(field::kSpanKind, std::string(SpanKindName(span.kind)), json);
  }
  if (span.status != SpanStatus::kUnset) {
    WriteTag(field::kStatusCode, std::string(span.status == SpanStatus::kOk ? "OK" : "ERROR"),
             json);
  }
  if (!span.status_message.empty()) {
    WriteTag(field::kStatusDescription, span.status_message, json);
  }
  if (span.status == SpanStatus::kError) WriteTag("error", true, json);
  json->EndArray();
}

void WriteReference(std::string_view type, std::string_view trace_id, std::string_view span_id,
                    JsonWriter* json) {
  json->BeginObject()
      .Key("refType")
      .String(type)
      .Key("traceID")
      .String(trace_id)
      .Key("spanID")
      .String(span_id)
      .EndObject();
}

// A process per distinct service and resource, numbered in order of first
// appearance as Jaeger does ("p1", "p2", ...).
class Processes {
 public:
  const std::string& IdOf(const Span& span) {
    std::string key = span.service;
    for (const Attribute& a : span.resource) {
      key += '\0';
      key += a.key;
      key += '\0';
      key += std::visit([](const auto& v) { return StrCat(v); }, a.value);
    }
    auto [it, added] = ids_.emplace(std::move(key), "");
    if (added) {
      it->second = StrCat("p", ids_.size());
      order_.push_back(&span);
    }
    return it->second;
  }

  void Write(JsonWriter* json) const {
    json->Key("processes").BeginObject();
    for (size_t i = 0; i < order_.size(); ++i) {
      const Span& span = *order_[i];
      json->Key(StrCat("p", i + 1)).BeginObject();
      json->Key("serviceName").String(span.service);
      json->Key("tags").BeginArray();
      WriteTags(span.resource, json);
      json->EndArray().EndObject();
    }
    json->EndObject();
  }

 private:
  std::map<std::string, std::string> ids_;
  std::vector<const Span*> order_;
};

}  // namespace

void WriteJaegerTrace(const Trace& trace, JsonWriter* json) {
  Processes processes;
  json->BeginObject().Key("traceID").String(trace.trace_id);
  json->Key("spans").BeginArray();
  for (size_t i = 0; i < trace.spans.size(); ++i) {
    const Span& span = trace.spans[i];
    json->BeginObject();
    json->Key("traceID").String(span.trace_id);
    json->Key("spanID").String(span.span_id);
    json->Key("operationName").String(span.name);
    json->Key("references").BeginArray();
    if (!span.parent_span_id.empty()) {
      WriteReference("CHILD_OF", span.trace_id, span.parent_span_id, json);
    }
    for (const SpanLink& link : span.links) {
      WriteReference("FOLLOWS_FROM", link.trace_id, link.span_id, json);
    }
    json->EndArray();
    json->Key("startTime").Int(span.start_ns / kNanosPerMicro);
    json->Key("duration").Int(span.duration_ns / kNanosPerMicro);
    json->Key("flags").Int(1);
    WriteSpanTags(span, json);
    json->Key("logs").BeginArray();
    for (const SpanEvent& event : span.events) {
      json->BeginObject().Key("timestamp").Int(event.time_ns / kNanosPerMicro);
      json->Key("fields").BeginArray();
      WriteTag("event", event.name, json);
      WriteTags(event.attributes, json);
      json->EndArray().EndObject();
    }
    json->EndArray();
    json->Key("processID").String(processes.IdOf(span));
    json->Key("warnings");
    if (i < trace.span_warnings.size() && !trace.span_warnings[i].empty()) {
      json->BeginArray().String(trace.span_warnings[i]).EndArray();
    } else {
      json->Null();
    }
    json->EndObject();
  }
  json->EndArray();
  processes.Write(json);
  json->Key("warnings");
  if (trace.truncated) {
    json->BeginArray()
        .String(StrCat("the trace has more than ", kMaxTraceSpans, " spans; ", kMaxTraceSpans,
                       " of them are shown"))
        .EndArray();
  } else {
    json->Null();
  }
  json->EndObject();
}

void BeginJaegerReply(JsonWriter* json) { json->BeginObject().Key("data"); }

void EndJaegerReply(size_t total, JsonWriter* json) {
  json->Key("total").Uint(total);
  json->Key("limit").Int(0);
  json->Key("offset").Int(0);
  json->Key("errors").Null();
  json->EndObject();
}

std::string JaegerErrorBody(int status, std::string_view message) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject().Key("data").Null();
  json.Key("total").Int(0).Key("limit").Int(0).Key("offset").Int(0);
  json.Key("errors").BeginArray();
  json.BeginObject().Key("code").Int(status).Key("msg").String(message).EndObject();
  json.EndArray().EndObject();
  return out;
}

}  // namespace mayak
