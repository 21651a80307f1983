#include "common/units.h"

#include <cmath>
#include <utility>

#include "common/strings.h"

namespace mayak {
namespace {

struct Unit {
  std::string_view name;
  int64_t factor;
};

// Reads a non-negative decimal number at the front of `s`, advancing it.
bool ConsumeNumber(std::string_view* s, double* value) {
  size_t n = 0;
  while (n < s->size() && (IsAsciiDigit((*s)[n]) || (*s)[n] == '.')) ++n;
  if (n == 0) return false;
  const auto result = std::from_chars(s->data(), s->data() + n, *value);
  if (result.ec != std::errc() || result.ptr != s->data() + n) return false;
  s->remove_prefix(n);
  return true;
}

}  // namespace

absl::StatusOr<int64_t> ParseByteSize(std::string_view text) {
  static constexpr Unit kUnits[] = {
      {"", 1},
      {"b", 1},
      {"kb", 1000},
      {"mb", 1000LL * 1000},
      {"gb", 1000LL * 1000 * 1000},
      {"tb", 1000LL * 1000 * 1000 * 1000},
      {"kib", 1024},
      {"mib", 1024LL * 1024},
      {"gib", 1024LL * 1024 * 1024},
      {"tib", 1024LL * 1024 * 1024 * 1024},
  };
  std::string_view s = StripWhitespace(text);
  double value = 0;
  if (!ConsumeNumber(&s, &value)) {
    return absl::InvalidArgumentError(
        StrCat("'", text, "' is not a size: expected a number and a unit, e.g. 100MB or 2.5GiB"));
  }
  const std::string unit = ToLower(StripWhitespace(s));
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      const double bytes = value * static_cast<double>(u.factor);
      if (bytes > 9.2e18) return absl::InvalidArgumentError(StrCat("'", text, "' is too large"));
      return static_cast<int64_t>(std::llround(bytes));
    }
  }
  return absl::InvalidArgumentError(StrCat("'", text, "' has an unknown size unit '", unit,
                                           "': use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB"));
}

std::string FormatByteSize(int64_t bytes) {
  static constexpr Unit kUnits[] = {{"TiB", 1024LL * 1024 * 1024 * 1024},
                                    {"GiB", 1024LL * 1024 * 1024},
                                    {"MiB", 1024LL * 1024},
                                    {"KiB", 1024},
                                    {"TB", 1000LL * 1000 * 1000 * 1000},
                                    {"GB", 1000LL * 1000 * 1000},
                                    {"MB", 1000LL * 1000},
                                    {"KB", 1000}};
  if (bytes == 0) return "0B";
  for (const Unit& u : kUnits) {
    if (bytes % u.factor == 0) return StrCat(bytes / u.factor, u.name);
  }
  return StrCat(bytes, "B");
}

absl::StatusOr<int64_t> ParseDurationNanos(std::string_view text) {
  static constexpr Unit kUnits[] = {
      {"ns", 1},
      {"us", 1000},
      {"µs", 1000},
      {"ms", 1000LL * 1000},
      {"s", 1000LL * 1000 * 1000},
      {"m", 60LL * 1000 * 1000 * 1000},
      {"h", 3600LL * 1000 * 1000 * 1000},
      {"d", 86400LL * 1000 * 1000 * 1000},
      {"w", 7 * 86400LL * 1000 * 1000 * 1000},
  };
  std::string_view s = StripWhitespace(text);
  const auto error = [&] {
    return absl::InvalidArgumentError(
        StrCat("'", text, "' is not a duration: expected e.g. 500ms, 10s, 5m, 1h30m or 7d"));
  };
  if (s.empty()) return error();
  double total = 0;
  while (!s.empty()) {
    double value = 0;
    if (!ConsumeNumber(&s, &value)) return error();
    size_t n = 0;
    while (n < s.size() && !IsAsciiDigit(s[n]) && s[n] != '.') ++n;
    const std::string unit = ToLower(s.substr(0, n));
    s.remove_prefix(n);
    const Unit* found = nullptr;
    for (const Unit& u : kUnits) {
      if (unit == u.name) found = &u;
    }
    if (found == nullptr) return error();
    total += value * static_cast<double>(found->factor);
  }
  if (total > 9.2e18) return error();
  return static_cast<int64_t>(std::llround(total));
}

std::string FormatDuration(int64_t nanos) {
  static constexpr Unit kUnits[] = {{"d", 86400LL * 1000 * 1000 * 1000},
                                    {"h", 3600LL * 1000 * 1000 * 1000},
                                    {"m", 60LL * 1000 * 1000 * 1000},
                                    {"s", 1000LL * 1000 * 1000},
                                    {"ms", 1000LL * 1000},
                                    {"us", 1000},
                                    {"ns", 1}};
  if (nanos == 0) return "0s";
  std::string out;
  if (nanos < 0) {
    out = "-";
    nanos = -nanos;
  }
  for (const Unit& u : kUnits) {
    if (nanos >= u.factor) {
      StrAppend(&out, nanos / u.factor, u.name);
      nanos %= u.factor;
    }
  }
  return out;
}

}  // namespace mayak
