// Waits for something another thread does (a delivery, a hang-up seen),
// polling every few milliseconds, for at most 10 s: long enough for a
// loaded sanitizer build, short enough that a broken feature fails quickly.
#pragma once

#include <chrono>
#include <thread>

namespace mayak::testing {

template <typename Condition>
bool Eventually(Condition condition) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace mayak::testing
