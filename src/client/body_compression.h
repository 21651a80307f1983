// Compression of request bodies a client sends (`Content-Encoding: gzip` or
// `zstd`): the agent's batches, and tests.
#pragma once

#include <string>
#include <string_view>

namespace mayak {

// gzip (RFC 1952) at zlib's `level` (1 fastest .. 9 smallest).
std::string GzipCompress(std::string_view input, int level = 6);
// zstd at `level` (1 fastest; 3 zstd's default).
std::string ZstdCompress(std::string_view input, int level = 3);
// The same into `out` (replaced), whose memory a caller sending many bodies
// reuses: fresh megabytes for each would cost page faults.
void GzipCompressInto(std::string_view input, int level, std::string* out);
void ZstdCompressInto(std::string_view input, int level, std::string* out);

}  // namespace mayak
