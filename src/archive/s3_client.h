// A small client for S3-compatible object storage (AWS S3, MinIO, Ceph,
// s3rver): path-style requests signed with SigV4 by libcurl, retried with
// exponential backoff on connection failures, 5xx and 429. Objects above
// the multipart threshold are uploaded in parts. Every upload is checked
// against the ETag the store returns (the MD5 of the object, or of its
// parts' MD5s for a multipart upload), so a stored object is the bytes sent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

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

class S3Client {
 public:
  static absl::StatusOr<std::unique_ptr<S3Client>> Create(const S3Options& options);

  // Uploads `data` as `key` and checks the returned ETag.
  absl::Status Put(const std::string& key, std::string_view data) const;
  absl::StatusOr<std::string> Get(const std::string& key) const;
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
  absl::StatusOr<Reply> Send(const std::string& method, const std::string& key,
                             const std::string& query, std::string_view body) const;
  absl::Status PutMultipart(const std::string& key, std::string_view data) const;

  S3Options options_;
};

}  // namespace mayak
