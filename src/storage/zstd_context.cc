#include "storage/zstd_context.h"

#include <zstd.h>

#include <memory>

namespace mayak {
namespace {

struct FreeCompressContext {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct FreeDecompressContext {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

}  // namespace

size_t ZstdCompress(std::string_view src, int level, char* dst, size_t capacity) {
  thread_local std::unique_ptr<ZSTD_CCtx, FreeCompressContext> context(ZSTD_createCCtx());
  if (context == nullptr) return ZSTD_compress(dst, capacity, src.data(), src.size(), level);
  return ZSTD_compressCCtx(context.get(), dst, capacity, src.data(), src.size(), level);
}

size_t ZstdDecompress(std::string_view src, char* dst, size_t capacity) {
  thread_local std::unique_ptr<ZSTD_DCtx, FreeDecompressContext> context(ZSTD_createDCtx());
  if (context == nullptr) return ZSTD_decompress(dst, capacity, src.data(), src.size());
  return ZSTD_decompressDCtx(context.get(), dst, capacity, src.data(), src.size());
}

}  // namespace mayak
