// A real S3-compatible server (s3rver, from npm; scripts/bootstrap installs it
// into tools/s3) on 127.0.0.1, storing into a temporary directory, with one
// bucket. Stop() and Start() take it down and up again on the same port and
// data, for tests of an archive whose store goes away.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>

#include "archive/s3_client.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

namespace mayak::testing {

class S3Server {
 public:
  static constexpr const char* kBucket = "mayak-archive";
  static constexpr const char* kAccessKey = "S3RVER";  // s3rver's built-in account
  static constexpr const char* kSecretKey = "S3RVER";

  S3Server() { Start(); }

  // Starts (again); empty endpoint() when the server did not come up.
  void Start() {
    const std::string binary = std::string(MAYAK_SOURCE_DIR) + "/tools/s3/node_modules/.bin/s3rver";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{binary, "-d", dir_.path(), "-a", "127.0.0.1", "-p",
                                 std::to_string(port_), "--configure-bucket", kBucket});
    if (!process_->WaitForOutput("listening on 127.0.0.1:", std::chrono::seconds(30))) {
      endpoint_.clear();
      return;
    }
    const std::string output = process_->output();
    const std::string marker = "listening on 127.0.0.1:";
    port_ = std::atoi(output.c_str() + output.find(marker) + marker.size());
    endpoint_ = "http://127.0.0.1:" + std::to_string(port_);
  }
  void Stop() { process_.reset(); }

  const std::string& endpoint() const { return endpoint_; }
  // What a client needs to reach this server's bucket.
  S3Options ClientOptions() const {
    S3Options options;
    options.endpoint = endpoint_;
    options.bucket = kBucket;
    options.access_key = kAccessKey;
    options.secret_key = kSecretKey;
    return options;
  }
  std::string output() const { return process_ ? process_->output() : std::string(); }

 private:
  TempDir dir_;
  int port_ = 0;
  std::string endpoint_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace mayak::testing
