// Encodings of one column's values inside a segment row group
// (docs/format/segment.md). Each encoder writes a self-contained byte string;
// each decoder is told the row count and fails, never over-reads, on damaged
// input. Compression (zstd) is applied on top by the segment writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/string_templates.h"

namespace mayak {

// The encodings of segment format `version` (docs/format/segment.md):
// version 3 starts timestamp and integer chunks with a byte naming the
// encoding; versions 1 and 2 had one encoding each and no such byte.
inline constexpr uint32_t kTaggedNumbersVersion = 3;
// Version 4 adds a dictionary encoding for integer chunks of few distinct
// values (status codes, counts, small enums).
inline constexpr uint32_t kIntegerDictionaryVersion = 4;
// Version 6 stores timestamps as deltas instead of deltas of deltas when
// that is smaller: spans lie by trace, so their times go up within a trace
// and back at the next, where a steady step is rare.
inline constexpr uint32_t kTimestampDeltasVersion = 6;
inline constexpr uint32_t kLatestNumbersVersion = kTimestampDeltasVersion;

// Delta-of-delta, zigzag varints: a steady stream of timestamps costs about a
// byte a value. From version 3, when the values share a step (timestamps of
// millisecond or microsecond precision held in nanoseconds), they are
// divided by it first. From version 6, plain deltas when they are smaller.
void EncodeTimestamps(const std::vector<int64_t>& values, std::string* out,
                      uint32_t version = kLatestNumbersVersion);
absl::StatusOr<std::vector<int64_t>> DecodeTimestamps(std::string_view data, size_t count,
                                                      uint32_t version = kLatestNumbersVersion);

// Integers as varint offsets from the minimum (which is written first); from
// version 3 divided by their common step when there is one (durations in
// whole milliseconds held in nanoseconds); from version 4, when there are at
// most kMaxIntegerDictionary distinct values, as a dictionary and a byte per
// value, which decodes without a branch per value.
inline constexpr size_t kMaxIntegerDictionary = 256;
void EncodeIntegers(const std::vector<int64_t>& values, std::string* out,
                    uint32_t version = kLatestNumbersVersion);
absl::StatusOr<std::vector<int64_t>> DecodeIntegers(std::string_view data, size_t count,
                                                    uint32_t version = kLatestNumbersVersion);
// An integer chunk stored as a dictionary, decoded without writing out each
// value: value k is dictionary[codes[k]]. A filter tests each entry once and
// then compares a byte a value (status:500 over millions of rows).
struct IntegerCodes {
  std::vector<int64_t> dictionary;  // ascending, at most kMaxIntegerDictionary
  std::string_view codes;           // into the chunk; each below dictionary.size()
};
// Whether DecodeIntegerCodes applies: the chunk is stored as a dictionary.
bool IsIntegerDictionary(std::string_view data, uint32_t version = kLatestNumbersVersion);
absl::StatusOr<IntegerCodes> DecodeIntegerCodes(std::string_view data, size_t count);

// kHex (version 4): every value is lower-case hexadecimal of one even
// length (trace and span ids, hashes), stored as bytes: half the size, and
// random ids do not compress. kIpv4 (version 4): every value is an IPv4
// address in its usual form (10.1.2.3), stored as its four bytes.
// kPrefixedNumber (version 4): every value is one prefix and a decimal
// number (u175413, ORD-10442), stored as the prefix once and the numbers as
// an integer chunk.
enum class StringEncoding : uint8_t {
  kPlain = 0,
  kDictionary = 1,
  kHex = 2,
  kIpv4 = 3,
  kPrefixedNumber = 4,
  kTemplate = 5,
  kRowReferences = 6,
};
inline constexpr uint32_t kHexStringsVersion = 4;
// kTemplate (version 5): values as templates with numbers and references
// to other columns of the same row (storage/string_templates.h). The
// segment writer chooses it; EncodeStrings never does, as it sees one
// column alone.
inline constexpr uint32_t kTemplateVersion = 5;
// kRowReferences (version 6): values as the values of other rows of the
// same column or of another column (storage/row_references.h). Chosen by
// the segment writer, as templates are.
inline constexpr uint32_t kRowReferencesVersion = 6;

// The length of `values` when each is lower-case hexadecimal of that one
// even length (1 to 255 bytes once decoded), else 0.
size_t HexLength(const std::vector<std::string_view>& values);
// The name of the encoding a string chunk's values are stored in (after
// any presence bitmap), as `mayak admin columns --encodings` shows it:
// "plain", "dictionary", "hex", "ipv4", "prefixed-number", "templates",
// "row-references"; "unknown" for a byte no version writes.
std::string_view StringEncodingName(std::string_view values);
// The same for a timestamp (`timestamps`) or integer chunk of `version`:
// "delta-of-delta", "deltas", "offsets" or "dictionary", "scaled " before
// the first three when the values were divided by a common step.
std::string_view NumberEncodingName(std::string_view values, bool timestamps, uint32_t version);

// Whether `values` look like a column of ids with a few other values among
// them: three in four of the first 256 are lower-case hexadecimal of one
// even length, 16 digits or more (a "-" where there was no trace, a 64-bit
// Zipkin trace id among 128-bit ones). Such a column is stored plain, as
// kHex takes no exceptions, but may still refer to rows (row_references.h).
bool MostlyHexIds(const std::vector<std::string_view>& values);

inline constexpr size_t kMaxDictionary = 4096;

// Chooses a dictionary (sorted distinct values and varint indexes) when there
// are at most `max_dictionary` distinct values and it is smaller than plain
// length-prefixed strings; the first byte says which.
// With `distinct`, the distinct values are stored there when the dictionary
// is chosen (the writer indexes each once) and it is cleared otherwise.
// Otherwise, from version 4, hexadecimal ids, IPv4 addresses and prefixed
// numbers are stored as bytes or numbers (kHex, kIpv4, kPrefixedNumber).
void EncodeStrings(const std::vector<std::string_view>& values, std::string* out,
                   size_t max_dictionary = kMaxDictionary,
                   std::vector<std::string_view>* distinct = nullptr,
                   uint32_t version = kLatestNumbersVersion);
absl::StatusOr<std::vector<std::string>> DecodeStrings(std::string_view data, size_t count);

// Strings decoded as views into `data`, without copying: `values` holds the
// dictionary (with `codes` the index of each of the `count` values) or, for
// plain columns, every value (and `codes` stays empty). Searches test each
// distinct value once.
struct StringViews {
  std::vector<std::string_view> values;
  std::vector<uint32_t> codes;
  std::string_view Get(size_t i) const { return values[codes.empty() ? i : codes[i]]; }
  uint32_t Code(size_t i) const { return codes.empty() ? static_cast<uint32_t>(i) : codes[i]; }
};
// What a kTemplate or kRowReferences chunk needs from its row group: the
// row of each value (empty: value k is row k), the texts of the columns it
// refers to, and its own column's number (row references to earlier rows
// of the column itself name it).
struct TemplateContext {
  const std::vector<uint32_t>& rows;
  ReferenceResolver resolve;
  uint32_t column = 0;
  // By row: which values to write out (null: all); see ExpandTemplatedStrings.
  const std::vector<uint8_t>* wanted = nullptr;
};

// A kHex, kIpv4 or kPrefixedNumber chunk is first written out as text, in
// the plain layout, to `*expanded`, and the views point there; a kTemplate
// chunk's values are written there one after another. Without `expanded`
// (or, for kTemplate, `templates`) it is an error.
absl::StatusOr<StringViews> DecodeStringViews(std::string_view data, size_t count,
                                              std::string* expanded = nullptr,
                                              uint32_t version = kLatestNumbersVersion,
                                              const TemplateContext* templates = nullptr);

}  // namespace mayak
