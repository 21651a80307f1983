#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "client/http_client.h"
#include "commands.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/units.h"
#include "simdjson.h"
#include "terminal.h"

namespace mayak {
namespace {

struct IngestFlags {
  std::vector<std::string> files;
  std::string server;
  int batch_lines = 5000;
  std::string batch_size = "4MiB";
  int workers = 2;
  bool quiet = false;
};

constexpr size_t kMaxPrintedErrors = 20;
constexpr int kMaxRetries = 10;

struct LineOrigin {
  size_t file;
  uint64_t line;
};

// What the server answered, summed over every connection's replies.
struct Totals {
  absl::Mutex mu;
  uint64_t accepted ABSL_GUARDED_BY(mu) = 0;
  uint64_t rejected ABSL_GUARDED_BY(mu) = 0;
  uint64_t printed_errors ABSL_GUARDED_BY(mu) = 0;
};

struct Batch {
  std::string body;
  std::vector<LineOrigin> origins;
};

// Batches read ahead of the connections that send them, a few at most: with
// a request on each connection in flight while the next batch is read, the
// server is not left waiting on the client between requests.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  // Waits for room; false once the queue is closed (a sender failed).
  bool Push(Batch batch) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](BatchQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) {
          return q->closed_ || q->batches_.size() < q->capacity_;
        },
        this));
    if (closed_) return false;
    batches_.push_back(std::move(batch));
    return true;
  }
  // The next batch, or none once the queue is closed and empty.
  std::optional<Batch> Pop() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](BatchQueue* q)
             ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) { return q->closed_ || !q->batches_.empty(); },
        this));
    if (batches_.empty()) return std::nullopt;
    Batch batch = std::move(batches_.front());
    batches_.pop_front();
    return batch;
  }
  // No more batches: senders finish what is queued, Push refuses.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  // A sender failed: what is queued is dropped, and the reader stops.
  void Abandon() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    batches_.clear();
  }

 private:
  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<Batch> batches_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

class Sender {
 public:
  Sender(HttpClient* client, const std::vector<std::string>* names, Totals* totals)
      : client_(client), names_(names), totals_(totals) {}

  // Sends one batch; false on an error that should stop the run.
  bool Send(const std::string& body, const std::vector<LineOrigin>& origins) {
    for (int attempt = 0;; ++attempt) {
      auto reply =
          client_->Send("POST", "/api/v1/logs", body, {{"Content-Type", "application/x-ndjson"}});
      if (!reply.ok()) {
        Report(StrCat("mayak ingest: ", StatusMessage(reply.status())));
        return false;
      }
      if (reply->status == 503 && attempt < kMaxRetries) {
        int seconds = 1;
        if (auto it = reply->headers.find("retry-after"); it != reply->headers.end()) {
          if (!ParseInt(it->second, &seconds)) seconds = 1;
        }
        std::this_thread::sleep_for(std::chrono::seconds(std::clamp(seconds, 1, 30)));
        continue;
      }
      return HandleReply(*reply, origins);
    }
  }

 private:
  // A line on stderr, whole: connections report at the same time.
  void Report(std::string_view line) {
    absl::MutexLock lock(&totals_->mu);
    std::cerr << line << "\n";
  }

  bool HandleReply(const HttpReply& reply, const std::vector<LineOrigin>& origins) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(reply.body).get(doc)) {
      Report(StrCat("mayak ingest: the server replied ", reply.status, " with a non-JSON body"));
      return false;
    }
    uint64_t accepted = 0;
    uint64_t rejected = 0;
    simdjson::dom::array errors;
    if (doc["accepted"].get(accepted) || doc["rejected"].get(rejected) ||
        doc["errors"].get(errors)) {
      std::string_view message;
      if (doc["error"]["message"].get(message)) message = reply.body;
      Report(StrCat("mayak ingest: ", message, " (HTTP ", reply.status, ")"));
      return false;
    }
    absl::MutexLock lock(&totals_->mu);
    totals_->accepted += accepted;
    totals_->rejected += rejected;
    for (simdjson::dom::element error : errors) {
      if (totals_->printed_errors >= kMaxPrintedErrors) break;
      ++totals_->printed_errors;
      uint64_t line = 0;
      std::string_view reason;
      if (error["line"].get(line) || error["reason"].get(reason) || line == 0 ||
          line > origins.size()) {
        continue;
      }
      const LineOrigin& origin = origins[line - 1];
      std::cerr << (*names_)[origin.file] << ":" << origin.line << ": " << reason << "\n";
    }
    return true;
  }

  HttpClient* client_;
  const std::vector<std::string>* names_;
  Totals* totals_;
};

uint64_t FileSize(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_size);
}

int RunIngest(IngestFlags flags) {
  auto batch_bytes = ParseByteSize(flags.batch_size);
  if (!batch_bytes.ok()) {
    std::cerr << "mayak ingest: --batch-size: " << StatusMessage(batch_bytes.status()) << "\n";
    return 2;
  }
  // A connection each: requests on one connection wait for each other.
  const std::string server = flags.server.empty() ? DefaultServerUrl() : flags.server;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int w = 0; w < flags.workers; ++w) {
    auto client = HttpClient::Create(server);
    if (!client.ok()) {
      std::cerr << "mayak ingest: " << StatusMessage(client.status()) << "\n";
      return 2;
    }
    clients.push_back(*std::move(client));
  }
  if (flags.files.empty()) flags.files.emplace_back("-");
  std::vector<std::string> names;
  uint64_t total_bytes = 0;
  for (const std::string& file : flags.files) {
    // Before anything is sent: a mistyped name should not leave half a run.
    // (Looked up, not opened: a named pipe's writer would see it closed.)
    struct stat st {};
    if (file != "-" && ::stat(file.c_str(), &st) != 0) {
      std::cerr << "mayak ingest: cannot open " << file << ": " << strerror(errno) << "\n";
      return 1;
    }
    names.push_back(file == "-" ? "<stdin>" : file);
    total_bytes += FileSize(file);
  }
  const bool progress = !flags.quiet && StderrIsTerminal();
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  Totals totals;
  BatchQueue queue(static_cast<size_t>(flags.workers));
  std::atomic<uint64_t> sent_lines = 0;
  std::atomic<bool> failed = false;
  std::vector<std::thread> senders;
  // On a way out without finish() (an exception), the senders stop and are
  // joined: a joinable thread must not be destroyed.
  struct StopSenders {
    BatchQueue* queue;
    std::vector<std::thread>* senders;
    ~StopSenders() {
      queue->Abandon();
      for (std::thread& t : *senders) {
        if (t.joinable()) t.join();
      }
    }
  } stop_senders{&queue, &senders};
  senders.reserve(clients.size());
  for (const auto& client : clients) {
    senders.emplace_back([&, client = client.get()] {
      Sender sender(client, &names, &totals);
      while (std::optional<Batch> batch = queue.Pop()) {
        if (!sender.Send(batch->body, batch->origins)) {
          failed = true;
          queue.Abandon();
          return;
        }
        sent_lines += batch->origins.size();
      }
    });
  }
  // Sends what is queued, then joins the senders.
  const auto finish = [&] {
    queue.Close();
    for (std::thread& t : senders) t.join();
  };

  Batch batch;
  uint64_t read_bytes = 0;
  auto last_draw = start;
  const auto flush = [&]() -> bool {
    if (batch.origins.empty()) return true;
    if (!queue.Push(std::exchange(batch, Batch{}))) return false;
    if (progress && std::chrono::steady_clock::now() - last_draw > std::chrono::milliseconds(100)) {
      DrawProgress(read_bytes, total_bytes, sent_lines, elapsed());
      last_draw = std::chrono::steady_clock::now();
    }
    return true;
  };

  for (size_t f = 0; f < flags.files.size() && !failed; ++f) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (flags.files[f] != "-") {
      file.open(flags.files[f], std::ios::binary);
      if (!file) {
        std::cerr << "mayak ingest: cannot open " << flags.files[f] << ": " << strerror(errno)
                  << "\n";
        queue.Abandon();
        finish();
        return 1;
      }
      in = &file;
    }
    std::string line;
    uint64_t line_number = 0;
    while (std::getline(*in, line)) {
      ++line_number;
      read_bytes += line.size() + 1;
      if (StripWhitespace(line).empty()) continue;
      batch.body.append(line).push_back('\n');
      batch.origins.push_back({f, line_number});
      if (batch.origins.size() >= static_cast<size_t>(flags.batch_lines) ||
          batch.body.size() >= static_cast<uint64_t>(*batch_bytes)) {
        if (!flush()) break;
      }
    }
  }
  flush();
  finish();
  if (failed) return 1;
  if (progress) {
    DrawProgress(read_bytes, total_bytes, sent_lines, elapsed());
    EndProgress();
  }
  absl::MutexLock lock(&totals.mu);
  if (totals.rejected > totals.printed_errors) {
    std::cerr << "... and " << totals.rejected - totals.printed_errors << " more rejected lines\n";
  }
  const double seconds = elapsed();
  std::cerr << "ingested " << totals.accepted << " records, rejected " << totals.rejected << ", in "
            << seconds << " s ("
            << static_cast<uint64_t>(seconds > 0 ? static_cast<double>(totals.accepted) / seconds
                                                 : 0)
            << " records/s) into " << clients.front()->base_url() << "\n";
  return totals.rejected > 0 ? 1 : 0;
}

}  // namespace

Command AddIngestCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Send NDJSON log files (one JSON object per line) to a running server, in batches.\n"
      "Rejected lines are reported as FILE:LINE: reason; the exit code is 1 if any was.\n"
      "Examples:\n"
      "  mayak ingest app.ndjson other.ndjson\n"
      "  zcat old.ndjson.gz | mayak ingest --server http://logs.internal:7011");
  auto flags = std::make_shared<IngestFlags>();
  cmd->add_option("files", flags->files,
                  "NDJSON files; none or - reads standard input, e.g. app.ndjson");
  cmd->add_option("--server,-s", flags->server,
                  "Server URL (default $MAYAK_SERVER or http://127.0.0.1:7011), e.g. --server "
                  "http://logs.internal:7011");
  cmd->add_option("--batch-lines", flags->batch_lines,
                  "Most records per request, e.g. --batch-lines 1000")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--batch-size", flags->batch_size,
                  "Most bytes per request, e.g. 4MiB (below the server's limits.max_body)")
      ->capture_default_str();
  cmd->add_option("--workers,-w", flags->workers,
                  "Connections sending batches at once; while one request waits for the\n"
                  "server's commit, another is sent, e.g. --workers 1 to send in file order")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  cmd->add_flag("--quiet,-q", flags->quiet,
                "No progress display, e.g. in scripts: mayak ingest -q app.ndjson");
  return {cmd, [flags] { return RunIngest(*flags); }};
}

}  // namespace mayak
