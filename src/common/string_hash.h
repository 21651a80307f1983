// A fast, transparent hash for string-keyed hash maps on hot paths: keys
// held as std::string are looked up by std::string_view without a copy.
// (Debian's Abseil hashes std::string_view through std::hash, which is
// several times slower than XXH3 on the short keys Mayak hashes most.)
#pragma once

#include <xxhash.h>

#include <cstddef>
#include <string_view>

namespace mayak {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return XXH3_64bits(s.data(), s.size()); }
};

struct StringEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

}  // namespace mayak
