// Split-block Bloom filters (as in Parquet): the filter is an array of
// 32-byte blocks; a key's 64-bit xxHash picks one block with its upper half
// and sets one bit in each of the block's eight 32-bit words with its lower
// half. One cache line per probe; about 2% false positives at 8 bits a key.
//
// Segments keep one per string or integer column and row group so that a needle search
// (`order.id:10442`, a rare word) decodes only the groups that may hold it.
// Keys are the lower-cased words of a value (see model/tokenizer.h) and, for
// fields matched exactly, the whole value; the two are hashed apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace mayak::bloom {

inline constexpr size_t kBlockBytes = 32;
inline constexpr double kBitsPerKey = 8;

// The hash of a word, lower-cased here.
uint64_t WordHash(std::string_view word);
// The key of an exact value: its word hash when the value is one lower-case
// word (no need to store it twice), else a hash of the whole value.
uint64_t ExactValueHash(std::string_view value);

// The key of an integer value: ExactValueHash of its decimal form.
uint64_t IntegerHash(int64_t value);

// Collects the keys of a column's values, then builds its filter.
class FilterBuilder {
 public:
  // Every word of `text`.
  void AddWords(std::string_view text);
  // Every word of `value` and the value itself (ExactValueHash).
  void AddWordsAndValue(std::string_view value);
  // An integer, as ExactValueHash of its decimal form (IntegerHash).
  void AddInteger(int64_t value) { hashes_.insert(IntegerHash(value)); }
  // The filter bytes (a multiple of kBlockBytes; at least one block).
  std::string Finish();
  // The distinct keys added since the last Finish, for tests.
  size_t keys() const { return hashes_.size(); }
  bool HasKey(uint64_t key) const { return hashes_.contains(key); }

 private:
  // Keys are xxHash values already: the table takes them as they are.
  struct KeyHash {
    size_t operator()(uint64_t key) const { return static_cast<size_t>(key); }
  };

  bool HashWords(std::string_view text);

  absl::flat_hash_set<uint64_t, KeyHash> hashes_;  // distinct keys size the filter
  std::string lowered_;
  std::vector<uint64_t> word_bits_;  // by byte of lowered_: a word byte
};

// False when `hash` was certainly not added; `filter` must be a whole
// number of blocks (checked when the segment is opened).
bool MayContain(std::string_view filter, uint64_t hash);

}  // namespace mayak::bloom
