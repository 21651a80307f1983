// The load generators' random numbers: xoshiro256** seeded by splitmix64,
// written out here rather than taken from std:: distributions, so that one
// seed gives the same data on every machine and library.
#pragma once

#include <cstdint>
#include <string>

namespace mayak {

class DeterministicRandom {
 public:
  explicit DeterministicRandom(uint64_t seed);

  uint64_t Next();
  uint64_t Below(uint64_t n) { return Next() % n; }  // uniform in [0, n)
  double Unit();                                     // uniform in [0, 1)
  // Skewed towards small values: roughly the top 1% of keys get a fifth of
  // the draws (a few hot customers, products, paths).
  uint64_t Zipf(uint64_t n);
  // `digits` lowercase hex digits (16 or 32: span and trace ids).
  std::string Hex(int digits);

 private:
  uint64_t state_[4];
};

}  // namespace mayak
