// Records for property tests of storage and queries.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "model/log_record.h"

namespace mayak::testing {

// Records that exercise every column type and the corners: fields stored with
// two types, missing values, empty service names, unset levels, words split
// across the ends of messages, dictionary and plain string chunks.
inline std::vector<LogRecord> VariedRecords(size_t count) {
  std::mt19937 rng(7);
  const std::vector<std::string> words = {"Connection", "refused", "deadlock", "timeout",
                                          "order",      "ORDER",   "shipped",  "dead",
                                          "lock",       "ÜBER",    "a_b",      "42"};
  std::vector<LogRecord> records(count);
  for (size_t i = 0; i < count; ++i) {
    LogRecord& r = records[i];
    r.timestamp_ns = 1'700'000'000'000'000'000 + static_cast<int64_t>(i) * 1000;
    r.observed_timestamp_ns = r.timestamp_ns + rng() % 3;
    r.level = static_cast<Level>(rng() % 7);
    r.system = rng() % 2 ? "shop" : "crm";
    r.service = rng() % 5 == 0 ? "" : (rng() % 2 ? "api" : "worker");
    const size_t n = rng() % 6;
    for (size_t w = 0; w < n; ++w) {
      r.message += words[rng() % words.size()];
      r.message += rng() % 3 ? " " : ": ";
    }
    if (rng() % 3) r.attributes.push_back({"order.id", static_cast<int64_t>(rng() % 50)});
    // user.id is a string in some records and a number in others.
    const auto user = rng() % 4;
    if (user == 0) r.attributes.push_back({"user.id", std::to_string(rng() % 20)});
    if (user == 1) r.attributes.push_back({"user.id", static_cast<int64_t>(rng() % 20)});
    if (rng() % 3 == 0) r.attributes.push_back({"ratio", (rng() % 8) / 4.0});
    if (rng() % 3 == 0) r.attributes.push_back({"cached", rng() % 2 == 0});
    if (rng() % 2 == 0) r.attributes.push_back({"path", "/api/" + std::to_string(rng() % 9)});
    if (rng() % 2 == 0) r.attributes.push_back({"token", std::to_string(rng())});
  }
  return records;
}

}  // namespace mayak::testing
