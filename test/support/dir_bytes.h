// The bytes of every file under a directory, concatenated: tests that must
// prove something never reached the disk search them.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mayak::testing {

inline std::string AllBytesUnder(const std::string& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    all += bytes.str();
  }
  return all;
}

}  // namespace mayak::testing
