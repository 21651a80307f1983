#include "client/body_compression.h"

#include <zlib.h>
#include <zstd.h>

#include "common/strings.h"

namespace mayak {
namespace {

size_t Gzip(std::string_view input, int level, char* out, size_t out_size) {
  z_stream stream{};
  deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out);
  stream.avail_out = static_cast<uInt>(out_size);
  deflate(&stream, Z_FINISH);
  const size_t written = stream.total_out;
  deflateEnd(&stream);
  return written;
}

// What deflate may write for `size` bytes at most (deflateBound without a
// stream), with the gzip header and trailer.
size_t GzipBound(size_t size) { return compressBound(static_cast<uLong>(size)) + 32; }

}  // namespace

std::string GzipCompress(std::string_view input, int level) {
  std::string out(GzipBound(input.size()), '\0');
  out.resize(Gzip(input, level, out.data(), out.size()));
  return out;
}

std::string ZstdCompress(std::string_view input, int level) {
  std::string out(ZSTD_compressBound(input.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), input.data(), input.size(), level));
  return out;
}

BodyCompressor::BodyCompressor(Codec codec, int level) : codec_(codec), level_(level) {
  if (codec_ == Codec::kZstd) zstd_ = ZSTD_createCCtx();
}

BodyCompressor::~BodyCompressor() { ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(zstd_)); }

char* BodyCompressor::Reserve(size_t bytes) {
  if (bytes > capacity_) {
    out_.reset(new char[bytes]);
    capacity_ = bytes;
  }
  return out_.get();
}

absl::StatusOr<std::string_view> BodyCompressor::Compress(std::string_view input) {
  if (codec_ == Codec::kGzip) {
    const size_t bound = GzipBound(input.size());
    char* out = Reserve(bound);
    return std::string_view(out, Gzip(input, level_, out, bound));
  }
  const size_t bound = ZSTD_compressBound(input.size());
  char* out = Reserve(bound);
  const size_t written = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(zstd_), out, bound, input.data(),
                                           input.size(), level_);
  if (ZSTD_isError(written)) {
    return absl::InternalError(StrCat("zstd compression failed: ", ZSTD_getErrorName(written)));
  }
  return std::string_view(out, written);
}

}  // namespace mayak
