#include "loadgen/random.h"

#include <cstdio>

namespace mayak {
namespace {

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

DeterministicRandom::DeterministicRandom(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& s : state_) {  // splitmix64 seeding
    x += 0x9E3779B97F4A7C15ULL;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    s = z ^ (z >> 31);
  }
}

uint64_t DeterministicRandom::Next() {
  const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = Rotl(state_[3], 45);
  return result;
}

double DeterministicRandom::Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

uint64_t DeterministicRandom::Zipf(uint64_t n) {
  const double u = Unit();
  return static_cast<uint64_t>(u * u * u * static_cast<double>(n));
}

std::string DeterministicRandom::Hex(int digits) {
  std::string out;
  char buf[17];
  for (int i = 0; i < digits; i += 16) {
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(Next()));
    out.append(buf, static_cast<size_t>(std::min(16, digits - i)));
  }
  return out;
}

}  // namespace mayak
