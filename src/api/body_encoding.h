// Request bodies sent with Content-Encoding gzip (or deflate) or zstd.
// Decompression stops at a size limit, so a small compressed bomb cannot
// exhaust memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mayak {

// Decodes `body` per the Content-Encoding header value. A body sent as it
// is ("" or "identity") is returned where it lies, not copied (bodies run to
// megabytes); a decoded one is written to `*decoded`, which the result
// then views. Errors: InvalidArgument for a corrupt body, ResourceExhausted
// when the output would exceed `max_output`, Unimplemented for an unknown
// encoding.
absl::StatusOr<std::string_view> DecodeContentEncoding(std::string_view encoding,
                                                       std::string_view body, uint64_t max_output,
                                                       std::string* decoded);

// The HTTP status of DecodeContentEncoding's error: 415 for an unknown
// encoding, 413 for too large, else 400.
int HttpStatusOfBodyError(const absl::Status& status);

}  // namespace mayak
