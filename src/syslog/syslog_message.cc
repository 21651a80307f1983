#include "syslog/syslog_message.h"

#include <array>
#include <charconv>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "pipeline/normalize.h"

namespace mayak {
namespace {

constexpr std::string_view kFacilities[] = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};
constexpr std::string_view kSeverities[] = {"emerg",   "alert",  "crit", "err",
                                            "warning", "notice", "info", "debug"};
constexpr Level kSeverityLevels[] = {Level::kFatal, Level::kFatal, Level::kFatal, Level::kError,
                                     Level::kWarn,  Level::kInfo,  Level::kInfo,  Level::kDebug};
constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

absl::Status Bad(size_t at, std::string_view why) {
  return absl::InvalidArgumentError(StrCat("syslog message, byte ", at, ": ", why));
}

// Reads the input left to right, keeping the offset for errors.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  size_t at() const { return at_; }
  bool done() const { return at_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[at_]; }
  std::string_view rest() const { return text_.substr(std::min(at_, text_.size())); }
  void skip(size_t n) { at_ = std::min(text_.size(), at_ + n); }
  bool consume(char c) {
    if (peek() != c) return false;
    ++at_;
    return true;
  }
  // The next space-delimited field, without the space after it.
  std::string_view field() {
    const size_t end = std::min(text_.find(' ', at_), text_.size());
    const std::string_view f = text_.substr(at_, end - at_);
    at_ = end;
    return f;
  }

 private:
  std::string_view text_;
  size_t at_ = 0;
};

void SetCommon(int priority, LogRecord* record) {
  const int facility = priority / 8;
  const int severity = priority % 8;
  record->level = kSeverityLevels[severity];
  record->attributes.push_back({"log.syslog.priority", int64_t{priority}});
  record->attributes.push_back({"log.syslog.severity.code", int64_t{severity}});
  record->attributes.push_back({"log.syslog.severity.name", std::string(kSeverities[severity])});
  record->attributes.push_back({"log.syslog.facility.code", int64_t{facility}});
  if (facility < static_cast<int>(std::size(kFacilities))) {
    record->attributes.push_back({"log.syslog.facility.name", std::string(kFacilities[facility])});
  }
}

void SetProcess(std::string_view procid, LogRecord* record) {
  int64_t pid = 0;
  const auto [end, ec] = std::from_chars(procid.data(), procid.data() + procid.size(), pid);
  if (ec == std::errc() && end == procid.data() + procid.size()) {
    record->attributes.push_back({"process.pid", pid});
  } else {
    record->attributes.push_back({"process.id", std::string(procid)});
  }
}

void SetService(std::string_view app, LogRecord* record) {
  record->service = std::string(app);
  // The app names the system when it can (postgres, rabbitmq).
  auto system = NormalizeSystemName(app);
  if (system.ok()) record->system = *std::move(system);
}

std::string_view StripBom(std::string_view message) {
  if (message.starts_with("\xEF\xBB\xBF")) message.remove_prefix(3);
  return message;
}

// Structured data: [id name="value" ...][id2 ...] into attributes.
absl::Status ParseStructuredData(Reader* in, LogRecord* record) {
  if (in->consume('-')) return absl::OkStatus();
  if (in->peek() != '[') return Bad(in->at(), "expected structured data ('[' or '-')");
  while (in->consume('[')) {
    const size_t id_start = in->at();
    std::string id;
    while (!in->done() && in->peek() != ' ' && in->peek() != ']' && in->peek() != '=' &&
           in->peek() != '"') {
      id.push_back(in->peek());
      in->skip(1);
    }
    if (id.empty()) return Bad(id_start, "a structured data element has no SD-ID");
    while (in->consume(' ')) {
      std::string name;
      while (!in->done() && in->peek() != '=' && in->peek() != ' ' && in->peek() != ']') {
        name.push_back(in->peek());
        in->skip(1);
      }
      if (name.empty() || !in->consume('=') || !in->consume('"')) {
        return Bad(in->at(), StrCat("expected PARAM-NAME=\"value\" in [", id, "]"));
      }
      std::string value;
      while (true) {
        if (in->done()) return Bad(in->at(), StrCat("unterminated value of ", id, ".", name));
        const char c = in->peek();
        in->skip(1);
        if (c == '"') break;
        if (c == '\\' && (in->peek() == '"' || in->peek() == '\\' || in->peek() == ']')) {
          value.push_back(in->peek());
          in->skip(1);
          continue;
        }
        value.push_back(c);
      }
      record->attributes.push_back(
          {StrCat("log.syslog.structured_data.", id, ".", name), std::move(value)});
    }
    if (!in->consume(']')) return Bad(in->at(), StrCat("expected ']' to close [", id));
  }
  return absl::OkStatus();
}

absl::StatusOr<LogRecord> ParseRfc5424(Reader* in, int priority, int64_t received_ns) {
  LogRecord record;
  SetCommon(priority, &record);
  in->field();  // VERSION, checked by the caller
  const auto space = [in](std::string_view after) -> absl::Status {
    if (!in->consume(' ')) return Bad(in->at(), StrCat("expected a space after ", after));
    return absl::OkStatus();
  };
  if (absl::Status s = space("VERSION"); !s.ok()) return s;
  const size_t ts_at = in->at();
  const std::string_view timestamp = in->field();
  if (timestamp == "-") {
    record.timestamp_ns = received_ns;
  } else {
    auto ts = ParseRfc3339(timestamp);
    if (!ts.ok()) return Bad(ts_at, StrCat("TIMESTAMP: ", ts.status().message()));
    record.timestamp_ns = *ts;
  }
  const std::string_view names[] = {"TIMESTAMP", "HOSTNAME", "APP-NAME", "PROCID", "MSGID"};
  std::string_view fields[4];
  for (int i = 0; i < 4; ++i) {
    if (absl::Status s = space(names[i]); !s.ok()) return s;
    fields[i] = in->field();
    if (fields[i].empty()) return Bad(in->at(), StrCat(names[i + 1], " is empty (use -)"));
  }
  if (fields[0] != "-") record.attributes.push_back({"host.name", std::string(fields[0])});
  if (fields[1] != "-") SetService(fields[1], &record);
  if (fields[2] != "-") SetProcess(fields[2], &record);
  if (fields[3] != "-") record.attributes.push_back({"event.code", std::string(fields[3])});
  if (absl::Status s = space("MSGID"); !s.ok()) return s;
  if (absl::Status s = ParseStructuredData(in, &record); !s.ok()) return s;
  if (!in->done() && !in->consume(' ')) {
    return Bad(in->at(), "expected a space between structured data and the message");
  }
  record.message = std::string(StripBom(in->rest()));
  return record;
}

// "Nov 25 10:50:00" (day space-padded), UTC, in the year that puts it at
// most a day after `received_ns`.
std::optional<int64_t> ParseBsdTimestamp(std::string_view text, int64_t received_ns) {
  if (text.size() < 15 || text[3] != ' ' || text[6] != ' ' || text[9] != ':' || text[12] != ':') {
    return std::nullopt;
  }
  int month = 0;
  while (month < 12 && kMonths[month] != text.substr(0, 3)) ++month;
  if (month == 12) return std::nullopt;
  const auto number = [text](size_t at, size_t n) -> int {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      const char c = text[i];
      if (c == ' ' && i == at) continue;
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  const int day = number(4, 2);
  const int hour = number(7, 2);
  const int minute = number(10, 2);
  const int second = number(13, 2);
  if (day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 60) {
    return std::nullopt;
  }
  const absl::Time received = absl::FromUnixNanos(received_ns);
  const int64_t year = absl::ToCivilYear(received, absl::UTCTimeZone()).year();
  absl::Time t = absl::FromCivil(absl::CivilSecond(year, month + 1, day, hour, minute, second),
                                 absl::UTCTimeZone());
  if (t > received + absl::Hours(24)) {
    t = absl::FromCivil(absl::CivilSecond(year - 1, month + 1, day, hour, minute, second),
                        absl::UTCTimeZone());
  }
  return absl::ToUnixNanos(t);
}

LogRecord ParseRfc3164(Reader* in, int priority, int64_t received_ns) {
  LogRecord record;
  SetCommon(priority, &record);
  record.timestamp_ns = received_ns;
  if (auto ts = ParseBsdTimestamp(in->rest(), received_ns)) {
    record.timestamp_ns = *ts;
    in->skip(15);
    in->consume(' ');
  } else if (std::string_view first = in->rest().substr(0, in->rest().find(' '));
             first.size() >= 19 && first[4] == '-' && first[10] == 'T') {
    // Many senders put an RFC 3339 time in the BSD format.
    if (auto rfc3339 = ParseRfc3339(first); rfc3339.ok()) {
      record.timestamp_ns = *rfc3339;
      in->skip(first.size());
      in->consume(' ');
    }
  }
  // HOSTNAME TAG[PID]: MSG, where the host is often left out: a first word
  // that ends in ':' or holds '[' is the tag.
  std::string_view rest = in->rest();
  const size_t first_end = std::min(rest.find(' '), rest.size());
  const std::string_view first = rest.substr(0, first_end);
  const bool first_is_tag = first.ends_with(':') || first.find('[') != std::string_view::npos;
  if (!first_is_tag && first_end < rest.size()) {
    const std::string_view second =
        rest.substr(first_end + 1, rest.find(' ', first_end + 1) - first_end - 1);
    if (second.ends_with(':') || second.find('[') != std::string_view::npos) {
      record.attributes.push_back({"host.name", std::string(first)});
      rest.remove_prefix(first_end + 1);
    }
  }
  // The tag: letters up to '[', ':' or a space.
  size_t tag_end = 0;
  while (tag_end < rest.size() && tag_end < 48 && rest[tag_end] != '[' && rest[tag_end] != ':' &&
         rest[tag_end] != ' ') {
    ++tag_end;
  }
  const std::string_view tag = rest.substr(0, tag_end);
  size_t after = tag_end;
  if (after < rest.size() && rest[after] == '[') {
    const size_t close = rest.find(']', after);
    if (close != std::string_view::npos) {
      SetProcess(rest.substr(after + 1, close - after - 1), &record);
      after = close + 1;
    }
  }
  if (!tag.empty() && after < rest.size() && rest[after] == ':') {
    SetService(tag, &record);
    ++after;
    if (after < rest.size() && rest[after] == ' ') ++after;
    rest.remove_prefix(after);
  }
  record.message = std::string(StripBom(rest));
  return record;
}

}  // namespace

absl::StatusOr<LogRecord> ParseSyslogMessage(std::string_view message, int64_t received_ns) {
  while (!message.empty() &&
         (message.back() == '\n' || message.back() == '\r' || message.back() == '\0')) {
    message.remove_suffix(1);
  }
  if (message.empty()) return Bad(0, "empty message");
  Reader in(message);
  // <PRI>: a relay adds <13> (user.notice) to a message without one.
  int priority = 13;
  if (in.consume('<')) {
    priority = 0;
    int digits = 0;
    while (in.peek() >= '0' && in.peek() <= '9' && digits < 3) {
      priority = priority * 10 + (in.peek() - '0');
      in.skip(1);
      ++digits;
    }
    if (digits == 0 || !in.consume('>') || priority > 191) {
      return Bad(in.at(), "expected <PRI>, a priority of 0 to 191 in angle brackets");
    }
  }
  // "1 " after the priority: RFC 5424.
  const std::string_view rest = in.rest();
  if (rest.size() >= 2 && rest[0] >= '1' && rest[0] <= '9' &&
      (rest[1] == ' ' ||
       (rest.size() >= 3 && rest[1] >= '0' && rest[1] <= '9' && rest[2] == ' '))) {
    auto record = ParseRfc5424(&in, priority, received_ns);
    if (record.ok()) record->observed_timestamp_ns = received_ns;
    return record;
  }
  LogRecord record = ParseRfc3164(&in, priority, received_ns);
  record.observed_timestamp_ns = received_ns;
  return record;
}

}  // namespace mayak
