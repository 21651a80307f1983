// Access logs in the combined format nginx and Apache write by default (and
// the common format, its first seven fields):
//   203.0.113.9 - alice [07/Dec/2026:10:00:00 +0300] "GET /api/orders?id=7 HTTP/1.1" 500 1234
//   "https://shop/" "curl/8.5"
// Fields by ECS; the level follows the status (5xx ERROR, 4xx WARN), so that
// HTTP 500s can alert.
#include <string>

#include "absl/time/time.h"
#include "agent/line_parser.h"
#include "common/strings.h"

namespace mayak::agent {
namespace {

// Reads a token up to a space; advances past it and the spaces after.
std::string_view NextToken(std::string_view text, size_t* i) {
  const size_t start = *i;
  while (*i < text.size() && text[*i] != ' ') ++*i;
  const std::string_view token = text.substr(start, *i - start);
  while (*i < text.size() && text[*i] == ' ') ++*i;
  return token;
}

// Reads a token between `open` and `close` (quotes may hold \" escapes).
bool NextDelimited(std::string_view text, size_t* i, char open, char close, std::string_view* out) {
  if (*i >= text.size() || text[*i] != open) return false;
  const size_t start = ++*i;
  while (*i < text.size() && text[*i] != close) {
    if (text[*i] == '\\' && open == '"') ++*i;
    ++*i;
  }
  if (*i >= text.size()) return false;
  *out = text.substr(start, *i - start);
  ++*i;
  while (*i < text.size() && text[*i] == ' ') ++*i;
  return true;
}

// "07/Dec/2026:10:00:00 +0300"
std::optional<int64_t> ParseAccessTime(std::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime("%d/%b/%Y:%H:%M:%S %z", std::string(text), &time, &error)) {
    return std::nullopt;
  }
  return absl::ToUnixNanos(time);
}

class AccessLogParser : public LineParser {
 public:
  void Parse(std::string_view text, EventFields* fields) override {
    size_t i = 0;
    const std::string_view client = NextToken(text, &i);
    NextToken(text, &i);  // identd
    const std::string_view user = NextToken(text, &i);
    std::string_view time;
    std::string_view request;
    std::string_view status;
    if (client.empty() || !NextDelimited(text, &i, '[', ']', &time) ||
        !NextDelimited(text, &i, '"', '"', &request) || (status = NextToken(text, &i)).empty()) {
      fields->String("message", text);
      fields->ParseError("not an access log line (nginx/Apache combined or common format)");
      return;
    }
    const std::string_view bytes = NextToken(text, &i);
    std::string_view referrer;
    std::string_view agent;
    const bool combined =
        NextDelimited(text, &i, '"', '"', &referrer) && NextDelimited(text, &i, '"', '"', &agent);

    fields->String("message", text);
    fields->String("client.ip", client);
    if (user != "-") fields->String("user.name", user);
    if (std::optional<int64_t> nanos = ParseAccessTime(time)) {
      fields->Timestamp(*nanos);
    } else {
      fields->ParseError(
          StrCat("'", time, "' is not an access log time (07/Dec/2026:10:00:00 +0000)"));
    }
    // "GET /path?query HTTP/1.1"; a malformed request line stays whole.
    const std::vector<std::string_view> parts = Split(request, ' ', true);
    if (parts.size() == 3) {
      fields->String("http.request.method", parts[0]);
      fields->String("url.original", parts[1]);
      const size_t question = parts[1].find('?');
      fields->String("url.path", parts[1].substr(0, question));
      if (question != std::string_view::npos) {
        fields->String("url.query", parts[1].substr(question + 1));
      }
      std::string_view version = parts[2];
      if (version.rfind("HTTP/", 0) == 0) version.remove_prefix(5);
      fields->String("http.version", version);
    } else {
      fields->String("http.request.line", request);
    }
    int64_t code = 0;
    if (ParseInt(status, &code)) {
      fields->Int("http.response.status_code", code);
      fields->String("log.level", code >= 500 ? "ERROR" : code >= 400 ? "WARN" : "INFO");
    }
    int64_t size = 0;
    if (ParseInt(bytes, &size)) fields->Int("http.response.body.bytes", size);
    if (combined) {
      if (referrer != "-") fields->String("http.request.referrer", referrer);
      if (agent != "-") fields->String("user_agent.original", agent);
    }
  }
};

}  // namespace

std::unique_ptr<LineParser> MakeAccessLogParser() { return std::make_unique<AccessLogParser>(); }

}  // namespace mayak::agent
