#include "client/body_compression.h"

#include <zlib.h>
#include <zstd.h>

namespace mayak {

void GzipCompressInto(std::string_view input, int level, std::string* out) {
  z_stream stream{};
  deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  out->resize(deflateBound(&stream, input.size()) + 32);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out->data());
  stream.avail_out = static_cast<uInt>(out->size());
  deflate(&stream, Z_FINISH);
  out->resize(stream.total_out);
  deflateEnd(&stream);
}

void ZstdCompressInto(std::string_view input, int level, std::string* out) {
  out->resize(ZSTD_compressBound(input.size()));
  out->resize(ZSTD_compress(out->data(), out->size(), input.data(), input.size(), level));
}

std::string GzipCompress(std::string_view input, int level) {
  std::string out;
  GzipCompressInto(input, level, &out);
  return out;
}

std::string ZstdCompress(std::string_view input, int level) {
  std::string out;
  ZstdCompressInto(input, level, &out);
  return out;
}

}  // namespace mayak
