// The JSON form of a record in API replies: one flat object with canonical
// dotted keys, timestamps as RFC 3339, and first the record's `_id`
// (model/record_id.h), then, for a record with a trace.id, `_trace`: the path
// of its trace (GET /api/v1/traces/{id}).
//   {"_id":"1795...-9f86...","@timestamp":"2026-11-24T21:30:00.123Z","log.level":"ERROR","message":"...",
//    "system":"shop","service.name":"shop-api","http.response.status_code":500}
#pragma once

#include "common/json_writer.h"
#include "model/log_record.h"

namespace mayak {

void WriteRecordJson(const LogRecord& record, JsonWriter* json);
// A field's value as its JSON type.
void WriteValueJson(const AttributeValue& value, JsonWriter* json);

}  // namespace mayak
