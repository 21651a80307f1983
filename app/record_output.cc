#include "record_output.h"

#include <algorithm>
#include <iostream>

#include "common/strings.h"
#include "query/kql.h"
#include "terminal.h"

namespace mayak {

std::string FieldText(simdjson::dom::element value) {
  if (value.is_string()) return std::string(value.get_string().value_unsafe());
  return simdjson::minify(value);
}

std::string RecordLine(simdjson::dom::element record, size_t system_width, size_t service_width,
                       bool color) {
  std::string time;
  std::string level;
  std::string system;
  std::string service;
  std::string message;
  std::string rest;
  simdjson::dom::object object;
  if (record.get(object)) return simdjson::minify(record) + "\n";
  for (auto [key, value] : object) {
    if (key == "@timestamp") {
      time = FieldText(value);
    } else if (key == "log.level") {
      level = FieldText(value);
    } else if (key == "system") {
      system = FieldText(value);
    } else if (key == "service.name") {
      service = FieldText(value);
    } else if (key == "message") {
      message = FieldText(value);
    } else if (key != "observed_timestamp" && key != "_id") {
      StrAppend(&rest, " ", key, "=", FieldText(value));
    }
  }
  std::replace(message.begin(), message.end(), '\n', ' ');
  system.resize(std::max(system.size(), system_width), ' ');
  service.resize(std::max(service.size(), service_width), ' ');
  std::string padded_level = level;
  padded_level.resize(std::max<size_t>(level.size(), 5), ' ');
  if (color) {
    return StrCat(kColorDim, time, kColorReset, " ", LevelColor(level), padded_level, kColorReset,
                  " ", system, " ", service, " ", message, kColorDim, rest, kColorReset, "\n");
  }
  return StrCat(time, " ", padded_level, " ", system, " ", service, " ", message, rest, "\n");
}

void PrintServerError(std::string_view command, int status, std::string_view body,
                      std::string_view query) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view message = body;
  const bool json = !parser.parse(body.data(), body.size()).get(doc);
  if (json && doc["error"]["message"].get(message)) message = body;
  std::cerr << command << ": " << message << " (HTTP " << status << ")\n";
  // A syntax error names where: show it under the query.
  int64_t position = 0;
  if (json && !doc["error"]["position"].get(position) && position >= 0) {
    std::cerr << "  " << ReplaceAll(kql::Caret(query, static_cast<size_t>(position)), "\n", "\n  ")
              << "\n";
  }
}

}  // namespace mayak
