#include "agent/line_parser.h"

#include <string>
#include <vector>

#include "agent/postgresql_parser.h"
#include "common/strings.h"
#include "re2/re2.h"
#include "simdjson.h"

namespace mayak::agent {
namespace {

class PlainParser : public LineParser {
 public:
  void Parse(std::string_view text, EventFields* fields) override {
    fields->String("message", text);
  }
};

// A JSON object a line: its members as they are (the server flattens and
// normalizes them as it does for any NDJSON).
class JsonParser : public LineParser {
 public:
  void Parse(std::string_view text, EventFields* fields) override {
    simdjson::dom::element element;
    const simdjson::error_code error = parser_.parse(text.data(), text.size()).get(element);
    if (error != simdjson::SUCCESS || !element.is_object()) {
      fields->String("message", text);
      fields->ParseError(error != simdjson::SUCCESS
                             ? StrCat("not JSON: ", simdjson::error_message(error))
                             : std::string("not a JSON object"));
      return;
    }
    const simdjson::dom::object object = element.get_object().value_unsafe();
    bool reserved_inside = false;
    for (auto [key, value] : object) {
      fields->NoteKey(key);
      if (fields->Reserved(key)) reserved_inside = true;
    }
    if (!reserved_inside) {
      // The common case: the object's members as the line has them.
      const size_t open = text.find('{');
      const size_t close = text.rfind('}');
      const std::string_view members = StripWhitespace(text.substr(open + 1, close - open - 1));
      fields->RawMembers(members);
      return;
    }
    for (auto [key, value] : object) {
      if (!fields->Reserved(key)) fields->Raw(key, simdjson::minify(value));
    }
  }

 private:
  simdjson::dom::parser parser_;
};

class RegexParser : public LineParser {
 public:
  explicit RegexParser(std::unique_ptr<RE2> re) : re_(std::move(re)) {
    const int groups = re_->NumberOfCapturingGroups();
    names_.resize(static_cast<size_t>(groups) + 1);
    values_.resize(names_.size());
    for (const auto& [group, index] : re_->NamedCapturingGroups()) {
      // RE2 takes no dots in group names: "__" stands for one
      // (http__response__status_code is http.response.status_code).
      const std::string name = ReplaceAll(group, "__", ".");
      names_[static_cast<size_t>(index)] = name;
      if (name == "message" || name == "msg") has_message_group_ = true;
    }
  }

  void Parse(std::string_view text, EventFields* fields) override {
    if (!re_->Match(text, 0, text.size(), RE2::UNANCHORED, values_.data(),
                    static_cast<int>(values_.size()))) {
      fields->String("message", text);
      fields->ParseError("the line does not match the input's pattern");
      return;
    }
    for (size_t i = 1; i < names_.size(); ++i) {
      if (names_[i].empty() || values_[i].empty()) continue;
      if (IsTimeFieldName(names_[i])) {
        fields->Time(names_[i], values_[i]);
      } else if (names_[i] == "message" || names_[i] == "msg") {
        fields->String(names_[i], values_[i]);
      } else {
        fields->Typed(names_[i], values_[i]);
      }
    }
    if (!has_message_group_) fields->String("message", text);
  }

 private:
  std::unique_ptr<RE2> re_;
  std::vector<std::string> names_;        // by group index (0: the whole match); empty if unnamed
  std::vector<re2::StringPiece> values_;  // what the last match captured, by group index
  bool has_message_group_ = false;
};

}  // namespace

std::unique_ptr<LineParser> MakePlainParser() { return std::make_unique<PlainParser>(); }
std::unique_ptr<LineParser> MakeJsonParser() { return std::make_unique<JsonParser>(); }

absl::StatusOr<std::unique_ptr<LineParser>> MakeRegexParser(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) return absl::InvalidArgumentError(StrCat("pattern: ", re->error()));
  return std::make_unique<RegexParser>(std::move(re));
}

std::unique_ptr<LineParser> MakeRabbitmqLogParser() {
  // 2026-12-07 10:00:00.123456+00:00 [error] <0.1234.0> closing AMQP connection ...
  auto parser = MakeRegexParser(
      R"(^(?P<timestamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:?\d{2}|Z)?) )"
      R"(\[(?P<level>[a-z]+)\] <(?P<erlang__pid>[^>]+)> (?P<message>(?s:.*)))");
  return *std::move(parser);  // a constant pattern
}

absl::StatusOr<std::unique_ptr<LineParser>> MakeLineParser(const FileInputConfig& input) {
  switch (input.format) {
    case LineFormat::kPlain:
      return MakePlainParser();
    case LineFormat::kJson:
      return MakeJsonParser();
    case LineFormat::kLogfmt:
      return MakeLogfmtParser();
    case LineFormat::kNginx:
      return MakeAccessLogParser();
    case LineFormat::kRegex:
      return MakeRegexParser(input.pattern);
    case LineFormat::kPostgresql:
      return MakePostgresqlParser(input.postgresql);
    case LineFormat::kRabbitmq:
      return MakeRabbitmqLogParser();
  }
  return absl::InternalError("unknown line format");
}

}  // namespace mayak::agent
