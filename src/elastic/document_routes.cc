// _bulk, _doc and _create: documents become canonical records through the
// same normalization as the native API, their system chosen by the index
// (IndexRouting), and are stored in one atomic append per request. Items
// that cannot be stored (bad JSON, a timestamp that does not parse, delete
// and update) are answered per item, as Elasticsearch does, and never stop
// the others.
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "api/body_encoding.h"
#include "api/ingest_counters.h"
#include "common/json_writer.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/units.h"
#include "elastic/bulk_request.h"
#include "elastic/route_helpers.h"
#include "pipeline/dedup_log_store.h"
#include "pipeline/normalize.h"
#include "simdjson.h"

namespace mayak::elastic {
namespace {

constexpr std::string_view kIndexField = "_index";

// The outcome of one item, in request order.
struct ItemResult {
  BulkAction action = BulkAction::kIndex;
  std::string index;
  std::string id;
  int status = 201;  // 201 once stored; else an error status
  std::string error_type;
  std::string error_reason;
  uint64_t seq_no = 0;
};

void WriteStored(const ItemResult& item, JsonWriter* json) {
  json->Key("_index").String(item.index).Key("_id").String(item.id);
  json->Key("_version").Int(1).Key("result").String("created");
  json->Key("_shards").BeginObject().Key("total").Int(1).Key("successful").Int(1);
  json->Key("failed").Int(0).EndObject();
  json->Key("_seq_no").Uint(item.seq_no).Key("_primary_term").Int(1);
}

std::string BulkReply(const std::vector<ItemResult>& items, int64_t took_ms) {
  bool errors = false;
  for (const ItemResult& item : items) errors = errors || item.status != 201;
  std::string body;
  JsonWriter json(&body);
  json.BeginObject().Key("took").Int(took_ms).Key("errors").Bool(errors);
  json.Key("items").BeginArray();
  for (const ItemResult& item : items) {
    json.BeginObject().Key(BulkActionName(item.action)).BeginObject();
    if (item.status == 201) {
      WriteStored(item, &json);
    } else {
      json.Key("_index").String(item.index).Key("_id").String(item.id);
      json.Key("status").Int(item.status);
      json.Key("error").BeginObject().Key("type").String(item.error_type);
      json.Key("reason").String(item.error_reason).EndObject();
      json.EndObject().EndObject();
      continue;
    }
    json.Key("status").Int(201).EndObject().EndObject();
  }
  json.EndArray().EndObject();
  return body;
}

// Turns items into records; `results` gets one entry per item, those that
// failed already answered.
std::vector<LogRecord> PrepareItems(const std::vector<BulkItem>& items,
                                    const ElasticContext* context,
                                    std::vector<ItemResult>* results) {
  const int64_t received_ns = absl::GetCurrentTimeNanos();
  simdjson::dom::parser parser;
  std::vector<LogRecord> records;
  records.reserve(items.size());
  for (const BulkItem& item : items) {
    ItemResult& result = results->emplace_back();
    result.action = item.action;
    result.index = item.index;
    result.id = item.id.empty() ? RandomBase64Url(15) : item.id;
    const auto fail = [&result](int status, std::string_view type, std::string reason) {
      result.status = status;
      result.error_type = std::string(type);
      result.error_reason = std::move(reason);
    };
    if (item.action == BulkAction::kDelete || item.action == BulkAction::kUpdate) {
      fail(400, "illegal_argument_exception",
           StrCat("Mayak keeps logs append-only: [", BulkActionName(item.action),
                  "] is not supported (line ", item.line, ")"));
      continue;
    }
    if (absl::Status valid = CheckIndexName(item.index); !valid.ok()) {
      fail(400, "invalid_index_name_exception", std::string(StatusMessage(valid)));
      continue;
    }
    if (item.source.size() > context->limits.max_line_bytes) {
      fail(400, "document_parsing_exception",
           StrCat("the document after line ", item.line, " is ", item.source.size(),
                  " bytes, over limits.max_line (",
                  FormatByteSize(static_cast<int64_t>(context->limits.max_line_bytes)), ")"));
      continue;
    }
    simdjson::dom::element document;
    if (auto error = parser.parse(item.source.data(), item.source.size()).get(document)) {
      fail(400, "document_parsing_exception",
           StrCat("failed to parse the document after line ", item.line, ": ",
                  simdjson::error_message(error)));
      continue;
    }
    auto record = NormalizeJsonDocument(document, received_ns);
    if (!record.ok()) {
      fail(400, "document_parsing_exception",
           StrCat("the document after line ", item.line, ": ", record.status().message()));
      continue;
    }
    context->routing.Route(item.index, &*record);
    // The index stays with the record: searchable as in Kibana (_index:...)
    // and a field that pipeline.routes can match.
    if (record->FindAttribute(kIndexField) == nullptr) {
      record->attributes.push_back({std::string(kIndexField), item.index});
    }
    // A client-chosen id makes a resend of the document a duplicate that
    // ingest drops (pipeline/dedup_log_store.h), as Elasticsearch keeps
    // one document an id; ids are unique within their index.
    if (!item.id.empty()) {
      record->attributes.push_back(
          {std::string(kEventIdAttribute), StrCat(item.index, "/", item.id)});
    }
    records.push_back(*std::move(record));
  }
  return records;
}

using Reply = HttpResponse (*)(const std::vector<ItemResult>&, int64_t took_ms);

HttpResponse BulkResponse(const std::vector<ItemResult>& items, int64_t took_ms) {
  return Json(200, BulkReply(items, took_ms));
}

// The reply to _doc and _create: one item.
HttpResponse SingleResponse(const std::vector<ItemResult>& items, int64_t /*took_ms*/) {
  const ItemResult& item = items.front();
  if (item.status != 201) return ElasticError(item.status, item.error_type, item.error_reason);
  std::string body;
  JsonWriter json(&body);
  json.BeginObject();
  WriteStored(item, &json);
  json.EndObject();
  return Json(201, std::move(body));
}

// A request on its way to the store.
struct PendingRequest {
  Respond respond;
  Reply reply;
  std::vector<ItemResult> results;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  void Finish() const {
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    respond(reply(results, took.count()));
  }
};

// Stores what `items` yield and answers with `reply` once the records are
// durable, or with 503 (nothing stored) when they cannot be.
void StoreItems(const std::vector<BulkItem>& items, size_t body_bytes,
                const ElasticContext* context, const IngestCounters& m, Respond respond,
                Reply reply) {
  LogStore* store = ReadyStoreOrReply(context->state, respond);
  if (store == nullptr) return;
  auto pending = std::make_shared<PendingRequest>();
  pending->respond = std::move(respond);
  pending->reply = reply;
  std::vector<LogRecord> records = PrepareItems(items, context, &pending->results);
  const size_t stored = records.size();
  m.rejected->Add(pending->results.size() - stored);
  if (stored == 0) return pending->Finish();
  store->Append(
      std::move(records), [pending, stored, body_bytes, context, m](const absl::Status& status) {
        if (!status.ok()) {
          // Nothing of the request was stored: the client sends it again.
          HttpResponse response =
              status.code() == absl::StatusCode::kInvalidArgument
                  ? ElasticError(413, "content_too_long_exception", StatusMessage(status))
                  : ElasticError(503, "unavailable_shards_exception",
                                 StrCat("records not stored: ", status.message(), "; retry later"));
          response.headers.emplace_back("Retry-After", "1");
          return pending->respond(std::move(response));
        }
        uint64_t seq_no = context->next_seq_no.fetch_add(stored);
        std::set<std::string> indices;
        for (ItemResult& result : pending->results) {
          if (result.status != 201) continue;
          result.seq_no = seq_no++;
          indices.insert(result.index);
        }
        // Indices written to exist from now on (HEAD /{index}), as in
        // Elasticsearch; a failure here costs nothing stored.
        for (const std::string& index : indices) {
          if (!context->metadata->PutIfAbsent(MetadataKind::kIndex, index, "{}").ok()) {
            LogWarn("elasticsearch: cannot record an index name", {{"index", index}});
          }
        }
        m.records->Add(stored);
        m.bytes->Add(body_bytes);
        pending->Finish();
      });
}

}  // namespace

void AddDocumentRoutes(Router* router, const ElasticContext* context, MetricsRegistry* metrics) {
  const IngestCounters m = GetIngestCounters(metrics);
  const HttpHandler bulk = [context, m](const HttpRequest& request, Respond respond) {
    std::string decoded;
    auto body = DecodedBody(request, context, respond, &decoded);
    if (!body) return;
    auto items = ParseBulkBody(*body, request.PathParam("index"));
    if (!items.ok()) {
      return respond(
          ElasticError(400, "illegal_argument_exception", StatusMessage(items.status())));
    }
    if (items->empty()) {
      return respond(ElasticError(400, "action_request_validation_exception",
                                  "Validation Failed: 1: no requests added;"));
    }
    // The items view the body, which lives until the records are built.
    StoreItems(*items, body->size(), context, m, std::move(respond), BulkResponse);
  };
  for (std::string_view method : {"POST", "PUT"}) {
    AddRoute(router, method, "/_bulk", bulk);
    AddRoute(router, method, "/{index}/_bulk", bulk);
  }

  const auto single = [context, m](BulkAction action) -> HttpHandler {
    return [context, m, action](const HttpRequest& request, Respond respond) {
      std::string decoded;
      auto body = DecodedBody(request, context, respond, &decoded);
      if (!body) return;
      BulkItem item;
      item.action = action;
      item.index = request.PathParam("index");
      item.id = request.PathParam("id");
      item.source = StripWhitespace(*body);
      item.line = 1;
      StoreItems({item}, body->size(), context, m, std::move(respond), SingleResponse);
    };
  };
  AddRoute(router, "POST", "/{index}/_doc", single(BulkAction::kIndex));
  for (std::string_view method : {"POST", "PUT"}) {
    AddRoute(router, method, "/{index}/_doc/{id}", single(BulkAction::kIndex));
    AddRoute(router, method, "/{index}/_create/{id}", single(BulkAction::kCreate));
  }
}

}  // namespace mayak::elastic
