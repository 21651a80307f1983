// Syslog messages (RFC 5424 and the older BSD format of RFC 3164) into
// canonical records:
//   severity -> log.level (emerg/alert/crit FATAL, err ERROR, warning WARN,
//               notice/info INFO, debug DEBUG), with log.syslog.severity.code
//   facility -> log.syslog.facility.code and .name
//   hostname -> host.name, app-name (or the BSD tag) -> service.name,
//   procid -> process.pid (a number) or process.id, msgid -> event.code,
//   structured data -> log.syslog.structured_data.<SD-ID>.<PARAM-NAME>
//   the timestamp -> @timestamp (BSD timestamps have no year and no zone:
//   UTC, in the year that puts them at most a day ahead of `received_ns`)
// The record's system is the app-name's when that is a valid system name.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "model/log_record.h"

namespace mayak {

// One message, without its transport framing. Errors say what is wrong
// and where (the byte offset).
absl::StatusOr<LogRecord> ParseSyslogMessage(std::string_view message, int64_t received_ns);

}  // namespace mayak
