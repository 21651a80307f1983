// A small client for S3-compatible object storage (AWS S3, MinIO, Ceph,
// s3rver): path-style requests signed with SigV4 by libcurl, retried with
// exponential backoff on connection failures, 5xx and 429. Objects above
// the multipart threshold are uploaded in parts. Every upload is checked
// against the ETag the store returns (the MD5 of the object, or of its
// parts' MD5s for a multipart upload), so a stored object is the bytes sent.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/env.h"

namespace mayak {

struct S3Options {
  std::string endpoint;  // http://127.0.0.1:9000 or https://s3.eu-central-1.amazonaws.com
  std::string region = "us-east-1";
  std::string bucket;
  std::string access_key;
  std::string secret_key;
  int max_attempts = 5;            // per request, the first included
  int64_t first_backoff_ms = 200;  // doubled after each failed attempt
  int64_t request_timeout_ms = 300'000;
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;  // S3 needs at least 5 MiB (except the last part)
};

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // without quotes
};

// The MD5 of `data`, in hex (an object's ETag when uploaded in one piece).
std::string Md5Hex(std::string_view data);

// An MD5 computed piece by piece, for files streamed to or from the store.
class Md5Stream {
 public:
  Md5Stream();
  ~Md5Stream();
  Md5Stream(const Md5Stream&) = delete;
  Md5Stream& operator=(const Md5Stream&) = delete;
  void Reset();
  void Update(std::string_view data);
  std::string HexDigest();  // of everything since the last Reset

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Where a streamed GET's body goes: `restart` before each attempt (a retry
// starts the object over), then `write` for each piece as it arrives. An
// error from either ends the GET with that error, without retrying.
struct S3BodySink {
  std::function<absl::Status()> restart;
  std::function<absl::Status(std::string_view)> write;
};

struct S3Download {
  uint64_t size = 0;
  std::string md5;  // hex, of the bytes written to the sink
};

class S3Client {
 public:
  static absl::StatusOr<std::unique_ptr<S3Client>> Create(const S3Options& options);

  // Uploads `data` as `key` and checks the returned ETag.
  absl::Status Put(const std::string& key, std::string_view data) const;
  // Uploads a file without holding it in memory (a part at a time above the
  // multipart threshold) and checks the ETag; returns the file's MD5 (hex).
  absl::StatusOr<std::string> PutFile(const std::string& key, const RandomAccessFile& file) const;
  absl::StatusOr<std::string> Get(const std::string& key) const;
  // Streams an object into `sink`.
  absl::StatusOr<S3Download> GetTo(const std::string& key, const S3BodySink& sink) const;
  // NotFound when there is no such object.
  absl::StatusOr<S3Object> Head(const std::string& key) const;
  // Every object whose key starts with `prefix`, in key order.
  absl::StatusOr<std::vector<S3Object>> List(const std::string& prefix) const;
  absl::Status Delete(const std::string& key) const;

  // The ETag AWS S3 gives `data` uploaded with these options.
  std::string ExpectedEtag(std::string_view data) const;
  const S3Options& options() const { return options_; }

 private:
  explicit S3Client(S3Options options) : options_(std::move(options)) {}
  struct Reply;
  // One request, retried; `query` is already encoded ("list-type=2&...").
  // With `sink`, a 200 reply's body goes there instead of into the Reply.
  absl::StatusOr<Reply> Send(const std::string& method, const std::string& key,
                             const std::string& query, std::string_view body,
                             const S3BodySink* sink = nullptr) const;
  // Reads `n` bytes at `offset` of the object being uploaded into `out`.
  using PartReader = std::function<absl::Status(uint64_t offset, size_t n, std::string* out)>;
  // Uploads `size` bytes in parts; returns their MD5 (hex).
  absl::StatusOr<std::string> PutMultipart(const std::string& key, uint64_t size,
                                           const PartReader& read) const;

  S3Options options_;
};

}  // namespace mayak
