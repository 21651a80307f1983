// How the client commands (`mayak query`, `mayak tail`) print what the
// server sends: records as aligned, coloured lines, and error replies with a
// caret under the spot of a query the server could not parse.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "simdjson.h"

namespace mayak {

// A JSON value as text: strings bare, the rest as JSON.
std::string FieldText(simdjson::dom::element value);

// One record, newline-terminated: time, level, system and service padded to
// the widths given, message, then the other fields as key=value (dim, with
// the time, when `color`).
std::string RecordLine(simdjson::dom::element record, size_t system_width, size_t service_width,
                       bool color);

// An error reply on standard error: "COMMAND: message (HTTP status)", and
// for a syntax error the query with a caret under the position it names.
void PrintServerError(std::string_view command, int status, std::string_view body,
                      std::string_view query);

}  // namespace mayak
