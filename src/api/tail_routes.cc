// GET /api/v1/tail: a live tail as Server-Sent Events. Records matching the
// filter are sent as `message` events (one JSON record each) as the store
// acknowledges them; `lines=N` first sends the newest N already stored.
// A reader that falls limits.tail_backlog behind gets a `dropped` event and
// the stream ends; records the server's tail thread could not keep up with
// are reported in a `missed` event. A comment line every 15 s keeps idle
// connections open through proxies.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "api/query_params.h"
#include "api/routes.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/units.h"
#include "model/record_json.h"

namespace mayak {
namespace {

// Records delivered before the stream is attached are held, up to this many.
constexpr size_t kMaxHeldRecords = 10'000;

void AppendRecordEvent(const LogRecord& record, std::string* out) {
  out->append("data: ");
  JsonWriter json(out);
  WriteRecordJson(record, &json);
  out->append("\n\n");
}

void AppendEvent(std::string_view event, std::string_view key, uint64_t number,
                 std::string_view message, std::string* out) {
  StrAppend(out, "event: ", event, "\ndata: ");
  JsonWriter json(out);
  json.BeginObject();
  if (!key.empty()) json.Key(key).Uint(number);
  json.Key("message").String(message);
  json.EndObject();
  out->append("\n\n");
}

// One tail's way out: SSE events written to the response stream, or held
// while the stored records (lines=N) are still being sent.
class SseTailSink : public LiveTail::Sink {
 public:
  explicit SseTailSink(uint64_t max_backlog_bytes) : max_backlog_bytes_(max_backlog_bytes) {}

  // From now on deliveries go to `stream`; the ones held meanwhile go first,
  // but not those `shown` already holds (stored records sent before).
  void Attach(std::shared_ptr<ResponseStream> stream, const std::vector<LogRecord>& shown) {
    absl::MutexLock lock(&mu_);
    std::string out;
    if (held_missed_ > 0) {
      AppendEvent("missed", "records", held_missed_,
                  "records arrived faster than the tail could be started", &out);
    }
    for (const LogRecord& r : held_) {
      if (std::find(shown.begin(), shown.end(), r) == shown.end()) AppendRecordEvent(r, &out);
    }
    held_.clear();
    if (!out.empty()) stream->Write(std::move(out));
    stream_ = std::move(stream);
  }

  bool Deliver(const std::vector<const LogRecord*>& records, uint64_t missed) override {
    absl::MutexLock lock(&mu_);
    if (stream_ == nullptr) {
      held_missed_ += missed;
      for (const LogRecord* r : records) {
        if (held_.size() < kMaxHeldRecords) {
          held_.push_back(*r);
        } else {
          ++held_missed_;
        }
      }
      return true;
    }
    if (stream_->closed()) return false;
    std::string out;
    if (stream_->pending_bytes() > max_backlog_bytes_) {
      AppendEvent("dropped", "", 0,
                  StrCat("the reader fell over limits.tail_backlog (",
                         FormatByteSize(static_cast<int64_t>(max_backlog_bytes_)),
                         ") behind; the tail ended: reconnect, or narrow its filter"),
                  &out);
      stream_->Write(std::move(out));
      stream_->End();
      return false;
    }
    if (missed > 0) {
      AppendEvent("missed", "records", missed,
                  "the server's tail fell behind ingest and skipped records; they are stored "
                  "and searchable",
                  &out);
    }
    for (const LogRecord* r : records) AppendRecordEvent(*r, &out);
    if (out.empty()) out = ": still here\n\n";
    return stream_->Write(std::move(out));
  }

 private:
  const uint64_t max_backlog_bytes_;
  absl::Mutex mu_;
  std::shared_ptr<ResponseStream> stream_ ABSL_GUARDED_BY(mu_);
  std::vector<LogRecord> held_ ABSL_GUARDED_BY(mu_);
  uint64_t held_missed_ ABSL_GUARDED_BY(mu_) = 0;
};

// Ends a tail when the last holder lets go: the stream once it closes, or
// the response if it is never streamed (a HEAD request, a failed write).
class TailSubscription {
 public:
  TailSubscription(LiveTail* tail, uint64_t id) : tail_(tail), id_(id) {}
  ~TailSubscription() { tail_->Unsubscribe(id_); }
  TailSubscription(const TailSubscription&) = delete;
  TailSubscription& operator=(const TailSubscription&) = delete;

 private:
  LiveTail* const tail_;
  const uint64_t id_;
};

}  // namespace

void AddTailRoutes(Router* router, const ServerState* state, LiveTail* tail,
                   const ApiLimits& limits) {
  router->Add(
      "GET", "/api/v1/tail", [state, tail, limits](const HttpRequest& request, Respond respond) {
        LogStore* store = ReadyStoreOrRespond(state, respond);
        if (store == nullptr) return;
        QueryParams params;
        HttpResponse error;
        if (!ReadQueryParams(request, limits, &params, &error)) return respond(std::move(error));
        std::optional<Filter> filter = ParseFilterOnly(params, "/api/v1/tail", &error);
        if (!filter) return respond(std::move(error));
        const std::optional<uint64_t> lines =
            params.Count("lines", 0, 0, limits.max_search_hits, "limits.max_search_hits", &error);
        if (!lines) return respond(std::move(error));

        // Subscribed before the stored records are read, so that none falls in
        // between; the sink holds what arrives meanwhile.
        auto sink = std::make_shared<SseTailSink>(limits.tail_backlog_bytes);
        absl::StatusOr<uint64_t> id = tail->Subscribe(*filter, sink);
        if (!id.ok()) {
          return respond(absl::IsResourceExhausted(id.status())
                             ? JsonError(429, "too_many_tails", StatusMessage(id.status()))
                             : JsonError(503, "shutting_down", StatusMessage(id.status())));
        }
        auto subscription = std::make_shared<TailSubscription>(tail, *id);
        std::vector<LogRecord> stored;
        if (*lines > 0) {
          SearchRequest search;
          search.filter = &*filter;
          search.from_ns = params.from_ns;
          search.to_ns = absl::GetCurrentTimeNanos();
          search.limit = *lines;
          search.budget = params.budget;
          auto found = store->Search(search);
          if (!found.ok()) return respond(QueryFailed(found.status()));
          stored = std::move(found->hits);
          std::reverse(stored.begin(), stored.end());  // oldest first, as a tail reads
        }
        HttpResponse response;
        response.content_type = "text/event-stream";
        response.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: pass events on at once
        response.stream = [sink, subscription,
                           stored = std::move(stored)](std::shared_ptr<ResponseStream> stream) {
          stream->OnClose([subscription] {});
          std::string out = "retry: 3000\n\n";  // how long EventSource waits to reconnect
          for (const LogRecord& r : stored) AppendRecordEvent(r, &out);
          stream->Write(std::move(out));
          sink->Attach(std::move(stream), stored);
        };
        respond(std::move(response));
      });
}

}  // namespace mayak
