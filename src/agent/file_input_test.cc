#include "agent/file_input.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "support/temp_dir.h"

namespace mayak::agent {
namespace {

void Append(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

std::string Lines(int from, int to) {
  std::string text;
  for (int i = from; i <= to; ++i) StrAppend(&text, "line ", i, "\n");
  return text;
}

class FileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.name = "test";
    config_.paths = {dir_.path() + "/*.log"};
    config_.close_inactive_ns = 0;
    output_.kind = OutputConfig::Kind::kMayak;
    auto registry = FileRegistry::Open(dir_.path());
    ASSERT_TRUE(registry.ok());
    registry_ = *std::move(registry);
  }

  std::unique_ptr<FileInput> MakeInput() {
    auto input = FileInput::Create(config_, output_, registry_.get());
    EXPECT_TRUE(input.ok()) << input.status();
    return *std::move(input);
  }

  // Scans, reads everything and ticks (closing finished files), `rounds`
  // times; returns the messages queued, acknowledging them in the registry.
  std::vector<std::string> Run(FileInput* input, bool first = false, int rounds = 2) {
    for (int round = 0; round < rounds; ++round) {
      input->Scan(first && round == 0);
      while (input->Read(1 << 20, now_, &queue_) > 0) {
      }
      now_ += 1'000'000'000;
      input->Tick(now_, &queue_);
    }
    queue_.SealIfDue(now_, true);
    std::vector<std::string> messages;
    simdjson::dom::parser parser;
    while (std::optional<Batch> batch = queue_.Pop(0)) {
      for (std::string_view line : Split(batch->body, '\n', true)) {
        simdjson::dom::element doc = parser.parse(line).value();
        std::string_view message;
        EXPECT_EQ(doc["message"].get_string().get(message), simdjson::SUCCESS) << line;
        messages.emplace_back(message);
      }
      for (const auto& [fingerprint, progress] : batch->files) {
        registry_->Advance(fingerprint, progress.path, progress.end_offset, now_);
      }
      queue_.Release(*batch);
    }
    return messages;
  }

  static std::vector<std::string> Expected(int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i <= to; ++i) out.push_back(StrCat("line ", i));
    return out;
  }

  testing::TempDir dir_;
  FileInputConfig config_;
  OutputConfig output_;
  std::unique_ptr<FileRegistry> registry_;
  BatchQueue queue_{BatchLimits{}};
  int64_t now_ = 1'000'000'000;
};

TEST_F(FileInputTest, ReadsNewLinesAndResumesFromTheRegistry) {
  const std::string log = dir_.path() + "/app.log";
  Append(log, Lines(1, 3));
  auto input = MakeInput();
  EXPECT_EQ(Run(input.get(), true), Expected(1, 3));
  Append(log, Lines(4, 5));
  Append(log, "partial");
  EXPECT_EQ(Run(input.get()), Expected(4, 5)) << "a line without its end waits";
  // A restarted agent starts where the acknowledgements left off.
  input.reset();
  Append(log, " done\n");
  auto restarted = MakeInput();
  EXPECT_EQ(Run(restarted.get(), true), (std::vector<std::string>{"partial done"}));
}

TEST_F(FileInputTest, StartAtEndAppliesToFilesOfTheFirstScanOnly) {
  config_.start_at_end = true;
  Append(dir_.path() + "/old.log", Lines(1, 3));
  auto input = MakeInput();
  EXPECT_EQ(Run(input.get(), true), std::vector<std::string>{});
  Append(dir_.path() + "/old.log", Lines(4, 4));
  Append(dir_.path() + "/new.log", Lines(10, 11));
  std::vector<std::string> got = Run(input.get());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"line 10", "line 11", "line 4"}));
}

TEST_F(FileInputTest, RenameRotationReadsTheOldFileToItsEnd) {
  const std::string log = dir_.path() + "/app.log";
  Append(log, Lines(1, 3));
  auto input = MakeInput();
  EXPECT_EQ(Run(input.get(), true), Expected(1, 3));
  Append(log, Lines(4, 5));
  std::filesystem::rename(log, log + ".1");  // no longer matched by *.log
  Append(log + ".1", Lines(6, 6));           // the writer had it open still
  Append(log, Lines(7, 8));
  std::vector<std::string> got = Run(input.get());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, Expected(4, 8));
  EXPECT_EQ(input->open_files(), 1u) << "the rotated file is closed once read";
}

TEST_F(FileInputTest, CopytruncateReadsWhatWasNotReadFromTheCopy) {
  const std::string log = dir_.path() + "/app.log";
  Append(log, Lines(1, 3));
  auto input = MakeInput();
  EXPECT_EQ(Run(input.get(), true), Expected(1, 3));
  Append(log, Lines(4, 6));
  std::filesystem::copy_file(log, log + ".1");
  std::filesystem::resize_file(log, 0);
  Append(log, Lines(7, 30));  // longer than before: growth alone does not tell
  EXPECT_EQ(Run(input.get(), false, 3), Expected(4, 30));
}

TEST_F(FileInputTest, FilesRotatedWhileTheAgentWasDownAreReadToTheirEnd) {
  const std::string log = dir_.path() + "/app.log";
  const std::string other = dir_.path() + "/other.log";
  Append(log, Lines(1, 3));
  Append(other, Lines(101, 102));
  auto input = MakeInput();
  EXPECT_EQ(Run(input.get(), true).size(), 5u);
  input.reset();  // the agent stops
  Append(log, Lines(4, 5));
  std::filesystem::rename(log, log + ".1");
  Append(log, Lines(6, 7));
  Append(other, Lines(103, 104));
  std::filesystem::copy_file(other, other + "-20261207");
  std::filesystem::resize_file(other, 0);
  Append(other, Lines(105, 105));
  auto restarted = MakeInput();
  std::vector<std::string> got = Run(restarted.get(), true);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"line 103", "line 104", "line 105", "line 4", "line 5",
                                           "line 6", "line 7"}));
}

TEST_F(FileInputTest, TruncatedWithoutACopyIsReadAgainFromItsStart) {
  const std::string log = dir_.path() + "/app.log";
  Append(log, Lines(1, 3));
  auto input = MakeInput();
  EXPECT_EQ(Run(input.get(), true), Expected(1, 3));
  std::filesystem::resize_file(log, 0);
  Append(log, Lines(20, 21));
  EXPECT_EQ(Run(input.get(), false, 3), Expected(20, 21));
}

TEST_F(FileInputTest, DeletedFilesAreReadToTheEndAndAReusedInodeIsANewFile) {
  const std::string log = dir_.path() + "/app.log";
  Append(log, Lines(1, 2));
  auto input = MakeInput();
  EXPECT_EQ(Run(input.get(), true), Expected(1, 2));
  {
    std::ofstream writer(log, std::ios::app);
    std::filesystem::remove(log);
    writer << Lines(3, 4);  // written after the delete: still there for the agent
  }
  EXPECT_EQ(Run(input.get()), Expected(3, 4));
  EXPECT_EQ(input->open_files(), 0u);
  Append(log, Lines(50, 51));  // likely the same inode number, surely other content
  EXPECT_EQ(Run(input.get()), Expected(50, 51));
}

TEST_F(FileInputTest, LongLinesAreCutAndFlagged) {
  config_.max_line_bytes = 256;
  const std::string log = dir_.path() + "/app.log";
  Append(log, std::string(1000, 'x') + "\nshort\n");
  auto input = MakeInput();
  const std::vector<std::string> got = Run(input.get(), true);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::string(256, 'x'));
  EXPECT_EQ(got[1], "short");
}

TEST_F(FileInputTest, AFileIsReadOnceThoughACopyOfItIsMatchedToo) {
  const std::string log = dir_.path() + "/app.log";
  Append(log, Lines(1, 2));
  std::filesystem::copy_file(log, dir_.path() + "/copy.log");
  auto input = MakeInput();
  EXPECT_EQ(Run(input.get(), true), Expected(1, 2));
  EXPECT_EQ(input->open_files(), 1u);
}

}  // namespace
}  // namespace mayak::agent
