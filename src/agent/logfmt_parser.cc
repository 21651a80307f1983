// logfmt, as Heroku, Go's log/slog and logrus write it:
//   time=2026-12-07T10:00:00Z level=info msg="order placed" order.id=10442 took=12.5
// A bare key means true; quoted values take \" and \\ escapes; unquoted
// numbers and true/false keep their type.
#include <string>

#include "agent/line_parser.h"
#include "common/strings.h"

namespace mayak::agent {
namespace {

class LogfmtParser : public LineParser {
 public:
  void Parse(std::string_view text, EventFields* fields) override {
    size_t i = 0;
    size_t pairs = 0;
    bool has_message = false;
    while (i < text.size()) {
      while (i < text.size() && IsAsciiSpace(text[i])) ++i;
      if (i >= text.size()) break;
      const size_t key_start = i;
      while (i < text.size() && text[i] != '=' && !IsAsciiSpace(text[i]) && text[i] != '"') ++i;
      const std::string_view key = text.substr(key_start, i - key_start);
      if (key.empty()) {
        // A stray quote or '=': not logfmt from here on.
        fields->ParseError(
            StrCat("logfmt: unexpected '", text.substr(i, 1), "' at column ", i + 1));
        break;
      }
      if (i >= text.size() || text[i] != '=') {
        fields->Raw(key, "true");
        ++pairs;
        continue;
      }
      ++i;  // '='
      bool quoted = false;
      value_.clear();
      if (i < text.size() && text[i] == '"') {
        quoted = true;
        ++i;
        bool closed = false;
        while (i < text.size()) {
          const char c = text[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\' && i < text.size()) {
            const char e = text[i++];
            value_.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            continue;
          }
          value_.push_back(c);
        }
        if (!closed)
          fields->ParseError(StrCat("logfmt: the value of ", key, " has no closing quote"));
      } else {
        const size_t value_start = i;
        while (i < text.size() && !IsAsciiSpace(text[i])) ++i;
        value_.assign(text.substr(value_start, i - value_start));
      }
      ++pairs;
      if (IsTimeFieldName(key)) {
        fields->Time(key, value_);
      } else if (key == "msg" || key == "message") {
        has_message = true;
        fields->String(key, value_);
      } else if (quoted) {
        fields->String(key, value_);
      } else {
        fields->Typed(key, value_);
      }
    }
    if (pairs == 0) fields->ParseError("logfmt: no key=value pairs");
    if (!has_message) fields->String("message", text);
  }

 private:
  std::string value_;
};

}  // namespace

std::unique_ptr<LineParser> MakeLogfmtParser() { return std::make_unique<LogfmtParser>(); }

}  // namespace mayak::agent
