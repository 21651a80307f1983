// Redaction: what the logging plan forbids in storage is taken out of every
// record before it reaches the write-ahead log (docs/redaction.md).
//
//  - secret_key: the value of a secret-bearing key (password, token,
//    api_key, authorization, cookie, cvv, ...; in any case style, as
//    `apiKey`, `API-KEY`, `x_api_key`) becomes [REDACTED]: as an attribute
//    (`user.password`), and inside any text as key=value, key: value,
//    "key":"value" (escaped or not), 'key': 'value' and key%3Dvalue.
//  - card_number: 13-19 digits, alone or in groups of four (Amex 4-6-5),
//    separated by spaces or dashes, that pass the Luhn check, keep their last
//    four digits; every other digit becomes '*' and separators stay. Long
//    numbers that fail Luhn (order ids) are left alone.
//    Well-formed trace and span ids (trace.id, span.id, parent.id, and the
//    ids in span.links) are not cards: random numbers a tracer drew, which
//    masking would cut from their trace.
//  - email: name@example.com becomes n***@example.com.
//  - extra rules from the configuration: a regular expression (RE2) and its
//    replacement each.
//
// A record that was changed gets the attribute `redacted`, the JSON list of
// the rules that fired (["email","secret_key"]).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/string_hash.h"
#include "model/log_record.h"

namespace mayak {

struct RedactionRule {
  std::string name;
  std::string pattern;      // RE2 syntax
  std::string replacement;  // \1 ... refer to groups
};

struct RedactionOptions {
  // Secret-bearing keys, compared without case, '_' and '-'. A key also
  // counts when it ends in one of `secret_key_suffixes` (db_password,
  // github_token).
  std::vector<std::string> secret_keys = {"password",
                                          "passwd",
                                          "pwd",
                                          "secret",
                                          "token",
                                          "access_token",
                                          "refresh_token",
                                          "api_key",
                                          "apikey",
                                          "authorization",
                                          "proxy-authorization",
                                          "cookie",
                                          "set-cookie",
                                          "x-api-key",
                                          "cvv",
                                          "cvc",
                                          "client_secret",
                                          "private_key"};
  std::vector<std::string> secret_key_suffixes = {"password", "passwd", "secret",
                                                  "token",    "apikey", "privatekey"};
  bool cards = true;
  bool emails = true;
  std::vector<RedactionRule> rules;
};

// Rules that fired, as a bit set: bit 0 secret_key, 1 card_number, 2 email,
// 3.. the extra rules in order.
using RuleHits = uint64_t;

class Redactor {
 public:
  static constexpr std::string_view kRedacted = "[REDACTED]";
  static constexpr std::string_view kField = "redacted";

  // Fails on an extra rule whose pattern does not compile, naming it.
  static absl::StatusOr<std::unique_ptr<Redactor>> Create(RedactionOptions options);
  ~Redactor();

  // Redacts every value of `record` and marks it; returns the rules that fired.
  RuleHits Redact(LogRecord* record) const;
  // Redacts `text` in place; returns the rules that fired.
  RuleHits RedactText(std::string* text) const;

  // Names of the rules, by bit.
  const std::vector<std::string>& rule_names() const { return rule_names_; }

 private:
  explicit Redactor(RedactionOptions options);
  bool IsSecretKey(std::string_view key) const;
  // `normalized`: lower case, without '_' and '-'.
  bool IsNormalizedSecret(std::string_view normalized) const;
  bool RedactSecrets(std::string* text) const;
  // Redacts the JSON of a span's links (span.links) but for their ids.
  RuleHits RedactLinks(std::string* json) const;

  RedactionOptions options_;
  absl::flat_hash_set<std::string, StringHash, StringEq> secret_keys_;  // normalized
  std::vector<std::string> secret_suffixes_;
  std::array<bool, 256> suffix_ends_{};  // by the last byte of a suffix
  std::vector<std::string> rule_names_;
  struct Compiled;
  std::vector<std::unique_ptr<Compiled>> compiled_;
};

// Whether `digits` (digits only) pass the Luhn check.
bool LuhnValid(std::string_view digits);

}  // namespace mayak
