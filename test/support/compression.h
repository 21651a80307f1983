// gzip and zstd compression for tests that send compressed request bodies.
#pragma once

#include <string>

#include "client/body_compression.h"

namespace mayak::testing {

inline std::string Gzip(const std::string& input) { return GzipCompress(input); }
inline std::string Zstd(const std::string& input) { return ZstdCompress(input); }

}  // namespace mayak::testing
