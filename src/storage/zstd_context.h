// zstd's one-shot calls with a context kept per thread. ZSTD_compress and
// ZSTD_decompress make and free a context on every call, and a context is
// tables of a few hundred KB to allocate and set up: on a row group's chunks
// of a few KB that setup cost more than the work itself.
#pragma once

#include <cstddef>
#include <string_view>

namespace mayak {

// As ZSTD_compress: the compressed size, or an error code (ZSTD_isError).
size_t ZstdCompress(std::string_view src, int level, char* dst, size_t capacity);
// As ZSTD_decompress: the decompressed size, or an error code.
size_t ZstdDecompress(std::string_view src, char* dst, size_t capacity);

}  // namespace mayak
