// FUZZ_CHECK: a property a fuzz target asserts beyond "does not crash". A
// failure prints what broke and aborts, which both libFuzzer and
// fuzz_driver.cc report as a crash and save the input of.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                     \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)
