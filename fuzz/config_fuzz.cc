// Configuration files with arbitrary content: loading either succeeds or
// fails with an error that names the file, never a crash or an escaped
// yaml-cpp exception.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/status_macros.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Configuration is written by operators, not sent by clients: inputs are
  // kept small enough that yaml-cpp's recursive parser cannot be driven
  // through the stack by nesting alone.
  if (size > 1024) return 0;
  static const std::string path = std::filesystem::temp_directory_path() /
                                  ("mayak-config-fuzz-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto config = mayak::Config::Load(path, [](const char*) -> const char* { return nullptr; });
  if (!config.ok()) {
    FUZZ_CHECK(mayak::StatusMessage(config.status()).find(path) != std::string_view::npos,
               "a configuration error does not name the file");
  }
  return 0;
}
