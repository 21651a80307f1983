#include "api/body_encoding.h"

#include <zlib.h>
#include <zstd.h>

#include <memory>

#include "common/strings.h"

namespace mayak {
namespace {

absl::Status TooLarge(uint64_t max_output) {
  return absl::ResourceExhaustedError(
      StrCat("the decompressed body is over limits.max_body (", max_output, " bytes)"));
}

absl::StatusOr<std::string> Inflate(std::string_view input, uint64_t max_output,
                                    std::string_view name) {
  z_stream stream{};
  // 15 + 32: accept both gzip and zlib headers.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) return absl::InternalError("inflateInit2 failed");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&stream, &inflateEnd);
  std::string out;
  char buffer[64 * 1024];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      return absl::InvalidArgumentError(StrCat(
          "the ", name, " body is corrupt: ", stream.msg != nullptr ? stream.msg : "truncated"));
    }
    out.append(buffer, sizeof(buffer) - stream.avail_out);
    if (out.size() > max_output) return TooLarge(max_output);
    // Concatenated gzip members (as `cat a.gz b.gz` makes) are one body.
    if (rc == Z_STREAM_END && stream.avail_in > 0) {
      if (inflateReset(&stream) != Z_OK) return absl::InternalError("inflateReset failed");
      rc = Z_OK;
    }
  }
  return out;
}

absl::StatusOr<std::string> Unzstd(std::string_view input, uint64_t max_output) {
  std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> stream(ZSTD_createDStream(),
                                                                    &ZSTD_freeDStream);
  if (!stream) return absl::InternalError("ZSTD_createDStream failed");
  std::string out;
  std::string buffer(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t last = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
    last = ZSTD_decompressStream(stream.get(), &o, &in);
    if (ZSTD_isError(last)) {
      return absl::InvalidArgumentError(
          StrCat("the zstd body is corrupt: ", ZSTD_getErrorName(last)));
    }
    out.append(buffer.data(), o.pos);
    if (out.size() > max_output) return TooLarge(max_output);
  }
  // Drain what the decoder still holds.
  while (last != 0) {
    ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
    last = ZSTD_decompressStream(stream.get(), &o, &in);
    if (ZSTD_isError(last)) {
      return absl::InvalidArgumentError(
          StrCat("the zstd body is corrupt: ", ZSTD_getErrorName(last)));
    }
    if (o.pos == 0) {
      return absl::InvalidArgumentError("the zstd body is truncated");
    }
    out.append(buffer.data(), o.pos);
    if (out.size() > max_output) return TooLarge(max_output);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string_view> DecodeContentEncoding(std::string_view encoding,
                                                       std::string_view body, uint64_t max_output,
                                                       std::string* decoded) {
  const std::string e = ToLower(StripWhitespace(encoding));
  if (e.empty() || e == "identity") return body;
  absl::StatusOr<std::string> output;
  if (e == "gzip" || e == "x-gzip" || e == "deflate") {
    output = Inflate(body, max_output, e);
  } else if (e == "zstd") {
    output = Unzstd(body, max_output);
  } else {
    return absl::UnimplementedError(
        StrCat("Content-Encoding '", encoding, "' is not supported: use gzip, zstd or none"));
  }
  if (!output.ok()) return output.status();
  *decoded = *std::move(output);
  return std::string_view(*decoded);
}

int HttpStatusOfBodyError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnimplemented:
      return 415;
    case absl::StatusCode::kResourceExhausted:
      return 413;
    default:
      return 400;
  }
}

}  // namespace mayak
