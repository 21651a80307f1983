#include "query/aggregation.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "common/strings.h"

namespace mayak {
namespace {

using Fn = Aggregation::Fn;

constexpr int kRegisterBits = 16;
constexpr size_t kRegisters = size_t{1} << kRegisterBits;

// Distinct hashes of values of different types stay apart: the number 1 and
// the text "1" are two values.
uint64_t Tagged(uint64_t hash, uint64_t tag) { return XXH3_64bits_withSeed(&hash, 8, tag); }

bool Numeric(Fn fn) {
  return fn == Fn::kSum || fn == Fn::kAvg || fn == Fn::kMin || fn == Fn::kMax ||
         fn == Fn::kPercentile;
}

// Linear interpolation between the closest ranks (as numpy's default and
// Elasticsearch's exact percentiles of small sets).
double Percentile(std::vector<double>* values, double p) {
  const double rank = p / 100.0 * static_cast<double>(values->size() - 1);
  const auto low = static_cast<size_t>(std::floor(rank));
  const size_t high = std::min(low + 1, values->size() - 1);
  std::nth_element(values->begin(), values->begin() + static_cast<std::ptrdiff_t>(low),
                   values->end());
  const double at_low = (*values)[low];
  if (high == low) return at_low;
  const double at_high =
      *std::min_element(values->begin() + static_cast<std::ptrdiff_t>(low) + 1, values->end());
  return at_low + (at_high - at_low) * (rank - static_cast<double>(low));
}

}  // namespace

std::string DefaultAggregationName(const Aggregation& a) {
  switch (a.fn) {
    case Fn::kCount:
      return StrCat("count(", a.field, ")");
    case Fn::kCountDistinct:
      return StrCat("count_distinct(", a.field, ")");
    case Fn::kSum:
      return StrCat("sum(", a.field, ")");
    case Fn::kAvg:
      return StrCat("avg(", a.field, ")");
    case Fn::kMin:
      return StrCat("min(", a.field, ")");
    case Fn::kMax:
      return StrCat("max(", a.field, ")");
    case Fn::kPercentile: {
      const double p = a.percentile;
      return p == std::floor(p) ? StrCat("p", static_cast<int>(p), "(", a.field, ")")
                                : StrCat("p", p, "(", a.field, ")");
    }
  }
  return "";
}

void AggregationState::AddInteger(const Aggregation& a, int64_t value) {
  if (a.fn == Fn::kCountDistinct) {
    // Equal to a double when one can hold it: 7 and 7.0 are one value.
    constexpr int64_t kExactInDouble = int64_t{1} << 53;
    if (value > -kExactInDouble && value < kExactInDouble) {
      return AddDouble(a, static_cast<double>(value));
    }
    return AddHash(Tagged(static_cast<uint64_t>(value), 4));
  }
  if (!Numeric(a.fn)) {
    ++count_;
    return;
  }
  const bool first_integer = count_ == doubles_;
  ++count_;
  int_min_ = first_integer ? value : std::min(int_min_, value);
  int_max_ = first_integer ? value : std::max(int_max_, value);
  int_sum_exact_ = int_sum_exact_ && !__builtin_add_overflow(int_sum_, value, &int_sum_);
  sum_ += static_cast<double>(value);
  if (a.fn == Fn::kPercentile) values_.push_back(static_cast<double>(value));
}

void AggregationState::AddDouble(const Aggregation& a, double value) {
  if (a.fn == Fn::kCountDistinct) {
    uint64_t bits = 0;
    value = value == 0 ? 0.0 : value;  // -0.0 is 0
    std::memcpy(&bits, &value, sizeof bits);
    return AddHash(Tagged(bits, 1));
  }
  if (!Numeric(a.fn)) {
    ++count_;
    return;
  }
  if (std::isnan(value)) return;
  const bool first_double = doubles_ == 0;
  ++count_;
  ++doubles_;
  min_ = first_double ? value : std::min(min_, value);
  max_ = first_double ? value : std::max(max_, value);
  sum_ += value;
  if (a.fn == Fn::kPercentile) values_.push_back(value);
}

void AggregationState::AddText(const Aggregation& a, std::string_view text) {
  if (a.fn == Fn::kCountDistinct) return AddHash(Tagged(XXH3_64bits(text.data(), text.size()), 2));
  if (!Numeric(a.fn)) ++count_;  // count(f): any value; the others take numbers only
}

void AggregationState::AddBool(const Aggregation& a, bool value) {
  if (a.fn == Fn::kCountDistinct) return AddHash(Tagged(value ? 1 : 0, 3));
  if (!Numeric(a.fn)) ++count_;
}

void AggregationState::Add(const Aggregation& a, const AttributeValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return AddText(a, *s);
  if (const auto* i = std::get_if<int64_t>(&value)) return AddInteger(a, *i);
  if (const auto* d = std::get_if<double>(&value)) return AddDouble(a, *d);
  AddBool(a, std::get<bool>(value));
}

void AggregationState::AddHash(uint64_t hash) {
  if (registers_.empty()) {
    hashes_.insert(hash);
    if (hashes_.size() <= kExactDistinctValues) return;
    registers_.assign(kRegisters, 0);
    for (uint64_t h : hashes_) AddHash(h);
    hashes_.clear();
    return;
  }
  const size_t index = hash >> (64 - kRegisterBits);
  const uint64_t rest = (hash << kRegisterBits) | (uint64_t{1} << (kRegisterBits - 1));
  const auto rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

void AggregationState::Merge(const Aggregation& a, AggregationState&& other) {
  if (a.fn == Fn::kCountDistinct) {
    if (!other.registers_.empty() && registers_.empty()) std::swap(*this, other);
    for (uint64_t h : other.hashes_) AddHash(h);
    if (!other.registers_.empty()) {
      for (size_t i = 0; i < kRegisters; ++i) {
        registers_[i] = std::max(registers_[i], other.registers_[i]);
      }
    }
    return;
  }
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = std::move(other);
    return;
  }
  const bool integers = count_ > doubles_;
  const bool other_integers = other.count_ > other.doubles_;
  if (integers && other_integers) {
    int_min_ = std::min(int_min_, other.int_min_);
    int_max_ = std::max(int_max_, other.int_max_);
  } else if (other_integers) {
    int_min_ = other.int_min_;
    int_max_ = other.int_max_;
  }
  if (doubles_ > 0 && other.doubles_ > 0) {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  } else if (other.doubles_ > 0) {
    min_ = other.min_;
    max_ = other.max_;
  }
  count_ += other.count_;
  doubles_ += other.doubles_;
  sum_ += other.sum_;
  int_sum_exact_ = int_sum_exact_ && other.int_sum_exact_ &&
                   !__builtin_add_overflow(int_sum_, other.int_sum_, &int_sum_);
  values_.insert(values_.end(), other.values_.begin(), other.values_.end());
}

std::optional<AttributeValue> AggregationState::Result(const Aggregation& a) {
  const bool integers = count_ > doubles_;
  // An extreme over integers and doubles: the larger (smaller) of the two.
  const auto extreme = [&](int64_t int_value, double double_value, bool max) -> AttributeValue {
    if (doubles_ == 0) return int_value;
    if (!integers) return double_value;
    const auto as_double = static_cast<double>(int_value);
    return (max ? as_double >= double_value : as_double <= double_value)
               ? AttributeValue(as_double)
               : AttributeValue(double_value);
  };
  switch (a.fn) {
    case Fn::kCount:
      return static_cast<int64_t>(count_);
    case Fn::kCountDistinct: {
      if (registers_.empty()) return static_cast<int64_t>(hashes_.size());
      // HyperLogLog with linear counting for small estimates.
      double inverse_sum = 0;
      size_t zeros = 0;
      for (uint8_t r : registers_) {
        inverse_sum += std::ldexp(1.0, -r);
        zeros += r == 0;
      }
      const auto m = static_cast<double>(kRegisters);
      double estimate = 0.7213 / (1 + 1.079 / m) * m * m / inverse_sum;
      if (estimate <= 2.5 * m && zeros > 0) {
        estimate = m * std::log(m / static_cast<double>(zeros));
      }
      return static_cast<int64_t>(std::llround(estimate));
    }
    case Fn::kSum:
      if (count_ == 0) return std::nullopt;
      if (doubles_ == 0 && int_sum_exact_) return int_sum_;
      return sum_;
    case Fn::kAvg:
      if (count_ == 0) return std::nullopt;
      return sum_ / static_cast<double>(count_);
    case Fn::kMin:
      if (count_ == 0) return std::nullopt;
      return extreme(int_min_, min_, false);
    case Fn::kMax:
      if (count_ == 0) return std::nullopt;
      return extreme(int_max_, max_, true);
    case Fn::kPercentile:
      if (values_.empty()) return std::nullopt;
      return Percentile(&values_, a.percentile);
  }
  return std::nullopt;
}

}  // namespace mayak
