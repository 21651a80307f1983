// Segments written to a temporary directory and opened, for tests of what
// reads them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/segment_reader.h"
#include "storage/segment_writer.h"
#include "support/temp_dir.h"

namespace mayak::testing {

class SegmentFiles {
 public:
  // Writes `records` as a new segment of `group_rows` rows a row group and
  // opens it; null (and a failed expectation) if that fails.
  std::unique_ptr<SegmentReader> Write(std::vector<LogRecord> records, size_t group_rows) {
    const std::string path = dir_.path() + "/" + std::to_string(++files_) + ".seg";
    EXPECT_TRUE(WriteSegment(Env::Default(), path, std::move(records), {group_rows, 3}).ok());
    auto reader = SegmentReader::Open(Env::Default(), path);
    EXPECT_TRUE(reader.ok()) << reader.status();
    return reader.ok() ? *std::move(reader) : nullptr;
  }

 private:
  TempDir dir_;
  int files_ = 0;
};

}  // namespace mayak::testing
